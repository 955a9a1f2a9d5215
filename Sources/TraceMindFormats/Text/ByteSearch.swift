import FoundationEssentials
import Glibc
/// Searching bytes for a lower-case ASCII needle, ASCII letters matched in either case (trace ids in files, the
/// waterfall's search over every attribute of 300,000 spans): no lowered copy of the haystack is made.
public enum ByteSearch {

    public static func containsFoldingCase(_ u: UnsafeRawBufferPointer, _ needle: [UInt8]) -> Bool {
        let m = needle.count, n = u.count
        guard m > 0 else { return true }
        guard m <= n, let base = u.baseAddress else { return false }
        let first = needle[0]
        let firstUpper = first >= 0x61 && first <= 0x7A ? first - 32 : first
        let last = n - m  // the last place a match can start
        /// The next place at or after `from` holding `byte` (memchr: the haystack is megabytes of prompts), else past `last`.
        func next(_ byte: UInt8, _ from: Int) -> Int {
            guard from <= last, let hit = memchr(base + from, Int32(byte), last + 1 - from) else { return last + 1 }
            return base.distance(to: UnsafeRawPointer(hit))
        }
        var lower = next(first, 0)
        var upper = firstUpper == first ? last + 1 : next(firstUpper, 0)
        while true {
            let i = min(lower, upper)
            guard i <= last else { return false }
            var k = 1
            while k < m {
                var b = u[i + k]
                if b >= 0x41 && b <= 0x5A { b += 32 }
                if b != needle[k] { break }
                k += 1
            }
            if k == m { return true }
            if i == lower { lower = next(first, i + 1) } else { upper = next(firstUpper, i + 1) }
        }
    }
}

extension ByteSearch {
    /// The first place at or after `from` where `needle`'s bytes occur in `haystack` as they are (`memchr` for its
    /// first byte, `memcmp` for the rest); an empty needle occurs nowhere.
    public static func firstIndex(of needle: UnsafeRawBufferPointer, in haystack: UnsafeRawBufferPointer, from: Int = 0) -> Int? {
        guard let n = needle.baseAddress, let h = haystack.baseAddress, needle.count > 0, haystack.count >= needle.count else { return nil }
        let last = haystack.count - needle.count
        var k = from
        while k <= last, let hit = memchr(h + k, Int32(needle[0]), last + 1 - k) {
            k = h.distance(to: UnsafeRawPointer(hit))
            if memcmp(h + k, n, needle.count) == 0 { return k }
            k += 1
        }
        return nil
    }

    /// Whether `needle`'s bytes occur in `haystack` as they are.
    public static func contains(_ haystack: [UInt8], _ needle: String) -> Bool {
        var needle = needle
        return haystack.withUnsafeBytes { h in needle.withUTF8 { firstIndex(of: UnsafeRawBufferPointer($0), in: h) != nil } }
    }
}
