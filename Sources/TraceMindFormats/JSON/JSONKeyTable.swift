import Foundation

/// The object keys met so far, so that every occurrence of a key shares one `String`: a worker parsing thousands
/// of spans keeps one copy of each attribute name. Open addressing on a word-at-a-time hash; one thread at a time.
public final class JSONKeyTable {
    private var hashes: [UInt64]
    private var strings: [String]
    private var used = 0
    /// Random per table: a file crafted so that thousands of keys share one hash cannot turn parsing quadratic.
    private let seed = UInt64.random(in: .min ... .max)

    public init() {
        hashes = Array(repeating: 0, count: 32)
        strings = Array(repeating: "", count: 32)
    }

    func intern(_ bytes: UnsafeRawBufferPointer) -> String {
        var h = Hash64.words(bytes, seed: seed)
        h |= 1  // 0 marks an empty slot
        let mask = hashes.count - 1
        var slot = Int(truncatingIfNeeded: h ^ (h >> 32)) & mask
        while hashes[slot] != 0 {
            if hashes[slot] == h {
                var s = strings[slot]
                let same = s.withUTF8 { u in
                    u.count == bytes.count && (u.count == 0 || memcmp(u.baseAddress!, bytes.baseAddress!, u.count) == 0)
                }
                if same { return s }
            }
            slot = (slot + 1) & mask
        }
        let s = String(decoding: bytes, as: UTF8.self)
        hashes[slot] = h
        strings[slot] = s
        used += 1
        if used * 2 > hashes.count { grow() }
        return s
    }

    private func grow() {
        let oldHashes = hashes, oldStrings = strings
        hashes = Array(repeating: 0, count: oldHashes.count * 2)
        strings = Array(repeating: "", count: oldHashes.count * 2)
        let mask = hashes.count - 1
        for (h, s) in zip(oldHashes, oldStrings) where h != 0 {
            var slot = Int(truncatingIfNeeded: h ^ (h >> 32)) & mask
            while hashes[slot] != 0 { slot = (slot + 1) & mask }
            hashes[slot] = h
            strings[slot] = s
        }
    }
}
