import Foundation

/// The object keys met so far, so that every occurrence of a key shares one `String`: a worker parsing thousands
/// of spans keeps one copy of each attribute name. Open addressing on a word-at-a-time hash; one thread at a time.
public final class JSONKeyTable {
    private var hashes: [UInt64]
    private var strings: [String]
    /// Per slot, the answers of the picks that asked about its key (`JSONPick`): two bits per pick, asked + built.
    private var marks: [UInt64]
    private var used = 0
    /// The slot of the key interned last (its marks).
    private(set) var lastSlot = 0
    /// Random per table: a file crafted so that thousands of keys share one hash cannot turn parsing quadratic.
    private let seed = UInt64.random(in: .min ... .max)

    public init() {
        hashes = Array(repeating: 0, count: 32)
        strings = Array(repeating: "", count: 32)
        marks = Array(repeating: 0, count: 32)
    }

    /// The calling thread's own table, for parses that each read one small record (a span's details, read again
    /// when shown or written): a table made per record would be grown afresh every time. Renewed once it holds
    /// `perThreadLimit` keys (a file whose every record has keys of its own cannot grow it without bound).
    public static var perThread: JSONKeyTable {
        let d = Thread.current.threadDictionary
        if let t = d[perThreadName] as? JSONKeyTable, t.used < perThreadLimit { return t }
        let t = JSONKeyTable()
        d[perThreadName] = t
        return t
    }

    static let perThreadName = "TraceMind.JSONKeyTable"
    static let perThreadLimit = 65_536

    /// One shared copy of a value that repeats across records (a model or service name, a run id): a string too
    /// long to be stored inline is looked up in the table, so thousands of spans hold one copy of it.
    public func intern(_ s: String) -> String {
        var s = s
        guard s.utf8.count > 15 else { return s }
        return s.withUTF8 { intern(UnsafeRawBufferPointer($0)) }
    }

    /// Does `pick` build the member whose key was interned last? Answered once per key and pick, then remembered.
    @inline(__always)
    func builds(_ key: String, _ pick: JSONPick) -> Bool {
        guard pick.id >= 0 else { return pick.builds(key) }
        let asked: UInt64 = 1 << UInt64(2 * pick.id), built = asked << 1
        let m = marks[lastSlot]
        if m & asked != 0 { return m & built != 0 }
        let b = pick.builds(key)
        marks[lastSlot] = m | asked | (b ? built : 0)
        return b
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
                if same {
                    lastSlot = slot
                    return s
                }
            }
            slot = (slot + 1) & mask
        }
        let s = String(decoding: bytes, as: UTF8.self)
        hashes[slot] = h
        strings[slot] = s
        marks[slot] = 0
        lastSlot = slot
        used += 1
        if used * 2 > hashes.count {
            grow()
            lastSlot = slotOf(h, s)
        }
        return s
    }

    private func grow() {
        let oldHashes = hashes, oldStrings = strings, oldMarks = marks
        hashes = Array(repeating: 0, count: oldHashes.count * 2)
        strings = Array(repeating: "", count: oldHashes.count * 2)
        marks = Array(repeating: 0, count: oldHashes.count * 2)
        let mask = hashes.count - 1
        for k in oldHashes.indices where oldHashes[k] != 0 {
            let h = oldHashes[k]
            var slot = Int(truncatingIfNeeded: h ^ (h >> 32)) & mask
            while hashes[slot] != 0 { slot = (slot + 1) & mask }
            hashes[slot] = h
            strings[slot] = oldStrings[k]
            marks[slot] = oldMarks[k]
        }
    }

    /// The slot holding `s` (hash `h`), after a grow.
    private func slotOf(_ h: UInt64, _ s: String) -> Int {
        let mask = hashes.count - 1
        var slot = Int(truncatingIfNeeded: h ^ (h >> 32)) & mask
        while !(hashes[slot] == h && strings[slot] == s) { slot = (slot + 1) & mask }
        return slot
    }
}

/// The members of an object that a picking parse builds (`JSONParser.parse(_:range:pick:)`); the others are skipped
/// by the structural scan, their bytes never decoded. `nested` members are built with their own pick when their value
/// is an object. Picks are made once (static): each of the first 32 gets an id under which key tables remember its
/// answers, so a key is looked up in `keys` once per table, not once per occurrence.
/// `elements`: an array value's object elements are built with it (an array is otherwise built whole).
public final class JSONPick: Sendable {
    public let keys: Set<String>
    public let nested: [String: JSONPick]
    public let elements: JSONPick?
    let id: Int

    public init(keys: Set<String> = [], nested: [String: JSONPick] = [:], elements: JSONPick? = nil) {
        self.keys = keys
        self.nested = nested
        nestedList = nested.map { ($0.key, $0.value) }
        self.elements = elements
        let n = JSONPick.made.add()
        id = n < 32 ? n : -1
    }

    func builds(_ key: String) -> Bool { keys.contains(key) || nested[key] != nil }

    /// The nested pick of a member built, looked through in a list (a pick nests one or two: hashing the key to look
    /// it up in `nested` cost more, once per member built).
    @inline(__always)
    func nestedPick(_ key: String) -> JSONPick? {
        for (k, p) in nestedList where k == key { return p }
        return nil
    }
    private let nestedList: [(String, JSONPick)]

    private static let made = Counter()

    private final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var n = 0
        func add() -> Int { lock.withLock { n += 1; return n - 1 } }
    }
}
