import FoundationEssentials

/// The object keys met so far, so that every occurrence of a key shares one `String`: a worker parsing thousands
/// of spans keeps one copy of each attribute name. Open addressing on a word-at-a-time hash; one thread at a time.
public final class JSONKeyTable {
    /// One slot: the key's hash (0: empty), its string, where its bytes are in `bytes`, and the answers of the picks
    /// that asked about it (`JSONPick`): two bits per pick, asked + built. The slots and the bytes are the table's own
    /// memory (no array's exclusivity and uniqueness checks on each key a parse meets).
    private struct Slot {
        var hash: UInt64
        var marks: UInt64
        var offset: Int
        var count: Int
        /// The slot of the key met right after this one last time (-1: none yet): records of one producer list
        /// their keys in the same order, so the next key is first looked for there, by its bytes, without a hash.
        var next: Int
        /// The slot of the key met after this one the time before, when it was another (-1: none): a key followed by
        /// one of two (a span's `name` by an LLM call's members or a tool's, say) is found without a hash either way
        /// (a real run's 74,558 keys: 18,078 hashed with one guess, 8,141 with two).
        var other: Int = -1
        var string: String
        /// The place of the key in the last `KeyIndex` asked about it (`tag`), by that index's serial; -1: none.
        var tagOwner: Int32 = -1
        var tag: Int32 = -1
    }
    private var slots: UnsafeMutablePointer<Slot>
    private var capacity: Int
    /// The keys' bytes, one after another (compared with the bytes met without making a `String`).
    private var bytes: UnsafeMutableRawPointer
    private var bytesUsed = 0
    private var bytesCapacity: Int
    private var used = 0
    /// The slot of the key interned last (its marks).
    private(set) var lastSlot = 0
    /// Random (per process): a file crafted so that thousands of keys share one hash cannot turn parsing quadratic.
    private let seed = Hash64.processSeed
    /// The members of the objects open in the parses that use this table (`Cursor.keyStack`, `valueStack`).
    let memberKeys = ParseStack<String>()
    let memberValues = ParseStack<JSON>()

    public init() {
        capacity = 32
        slots = JSONKeyTable.emptySlots(capacity)
        bytesCapacity = 1024
        bytes = UnsafeMutableRawPointer.allocate(byteCount: bytesCapacity, alignment: 8)
    }

    deinit {
        slots.deinitialize(count: capacity)
        slots.deallocate()
        bytes.deallocate()
    }

    private static func emptySlots(_ n: Int) -> UnsafeMutablePointer<Slot> {
        let p = UnsafeMutablePointer<Slot>.allocate(capacity: n)
        p.initialize(repeating: Slot(hash: 0, marks: 0, offset: 0, count: 0, next: -1, string: ""), count: n)
        return p
    }

    /// The calling thread's own table, for parses that each read one small record (a span's details, read again
    /// when shown or written): a table made per record would be grown afresh every time. Renewed once it holds
    /// `perThreadLimit` keys (a file whose every record has keys of its own cannot grow it without bound).
    public static var perThread: JSONKeyTable { threadTables.value(renew: { $0.used >= perThreadLimit }) }

    private static let threadTables = ThreadLocal { JSONKeyTable() }
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
        let m = slots[lastSlot].marks
        if m & asked != 0 { return m & built != 0 }
        let b = pick.builds(key)
        slots[lastSlot].marks = m | asked | (b ? built : 0)
        return b
    }

    /// The place in `index` of the key interned last, or nil: looked up once per key and index, then remembered in
    /// its slot (a reader asks about each key of each span it reads; most are the same few hundred).
    @inline(__always)
    func tag(_ index: KeyIndex) -> Int? {
        let s = lastSlot
        if slots[s].tagOwner == index.serial { return slots[s].tag < 0 ? nil : Int(slots[s].tag) }
        let id = index.id(bytes: UnsafeRawBufferPointer(start: bytes + slots[s].offset, count: slots[s].count))
        slots[s].tagOwner = index.serial
        slots[s].tag = Int32(id ?? -1)
        return id
    }

    /// Whether `n` bytes at `a` and at `b` are the same (keys are short: eight at a time, no call).
    @inline(__always)
    static func same(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, _ n: Int) -> Bool {
        var i = 0
        while i + 8 <= n {
            if a.loadUnaligned(fromByteOffset: i, as: UInt64.self) != b.loadUnaligned(fromByteOffset: i, as: UInt64.self) { return false }
            i += 8
        }
        while i < n {
            if a.load(fromByteOffset: i, as: UInt8.self) != b.load(fromByteOffset: i, as: UInt8.self) { return false }
            i += 1
        }
        return true
    }

    func intern(_ key: UnsafeRawBufferPointer) -> String {
        note(key)
        return slots[lastSlot].string
    }

    /// The string of the key noted or interned last.
    var lastInterned: String { slots[lastSlot].string }

    /// `intern` without the string: the key's slot made the last one (`lastInterned`, `tag`, `builds`). A reader
    /// that only looks its keys up (a span's members, most of them known) has no string to retain and release.
    func note(_ key: UnsafeRawBufferPointer) {
        let before = lastSlot
        let predicted = slots[before].next
        if predicted >= 0, holds(predicted, key) {
            lastSlot = predicted
            return
        }
        let other = slots[before].other
        if other >= 0, holds(other, key) {
            lastSlot = other
            slots[before].other = predicted
            slots[before].next = other
            return
        }
        let capacityBefore = capacity
        lookUp(key)
        // Remembered as the key after the one before, the one remembered so far kept as the other (unless the slots
        // moved: a grow starts the chains afresh).
        if capacity == capacityBefore {
            slots[before].other = predicted
            slots[before].next = lastSlot
        }
    }

    /// `note` by the key's hash.
    private func lookUp(_ key: UnsafeRawBufferPointer) {
        var h = Hash64.words(key, seed: seed)
        h |= 1  // 0 marks an empty slot
        let mask = capacity - 1
        var slot = Int(truncatingIfNeeded: h ^ (h >> 32)) & mask
        let n = key.count
        while slots[slot].hash != 0 {
            if slots[slot].hash == h, holds(slot, key) {
                lastSlot = slot
                return
            }
            slot = (slot + 1) & mask
        }
        let s = String(decoding: key, as: UTF8.self)
        if bytesUsed + n > bytesCapacity {
            let grown = UnsafeMutableRawPointer.allocate(byteCount: max(bytesCapacity * 2, bytesUsed + n), alignment: 8)
            grown.copyMemory(from: bytes, byteCount: bytesUsed)
            bytes.deallocate()
            bytes = grown
            bytesCapacity = max(bytesCapacity * 2, bytesUsed + n)
        }
        if n > 0 { (bytes + bytesUsed).copyMemory(from: key.baseAddress!, byteCount: n) }
        slots[slot] = Slot(hash: h, marks: 0, offset: bytesUsed, count: n, next: -1, string: s)
        bytesUsed += n
        lastSlot = slot
        used += 1
        if used * 2 > capacity {
            grow()
            lastSlot = slotOf(h, key)
        }
    }

    private func grow() {
        let old = slots, oldCapacity = capacity
        capacity *= 2
        slots = JSONKeyTable.emptySlots(capacity)
        let mask = capacity - 1
        for k in 0..<oldCapacity where old[k].hash != 0 {
            var slot = Int(truncatingIfNeeded: old[k].hash ^ (old[k].hash >> 32)) & mask
            while slots[slot].hash != 0 { slot = (slot + 1) & mask }
            slots[slot] = old[k]
            slots[slot].next = -1
            slots[slot].other = -1
        }
        old.deinitialize(count: oldCapacity)
        old.deallocate()
    }

    /// The slot holding the key `key` (hash `h`), after a grow.
    private func slotOf(_ h: UInt64, _ key: UnsafeRawBufferPointer) -> Int {
        let mask = capacity - 1
        var slot = Int(truncatingIfNeeded: h ^ (h >> 32)) & mask
        while !(slots[slot].hash == h && holds(slot, key)) { slot = (slot + 1) & mask }
        return slot
    }

    /// Whether the key at `slot` has the bytes `key`.
    @inline(__always)
    private func holds(_ slot: Int, _ key: UnsafeRawBufferPointer) -> Bool {
        slots[slot].count == key.count && (key.count == 0 || JSONKeyTable.same(bytes + slots[slot].offset, key.baseAddress!, key.count))
    }
}

/// A fixed set of keys, each found by its bytes: the keys a reader knows (a span's fields, the usage attributes),
/// looked up for every member of every span. A `Dictionary` of strings hashes each key with SipHash, a few hundred
/// instructions a lookup (7% of the instructions of a run's first read).
public struct KeyIndex: Sendable {
    private let hashes: [UInt64]
    /// Per slot: the key's id (-1: empty), and where its bytes are in `bytes`.
    private let ids: [Int]
    private let offsets: [Int]
    private let counts: [Int]
    private let bytes: [UInt8]
    private let mask: Int
    /// Tells indexes apart in the key tables that remember answers (`JSONKeyTable.tag`).
    let serial: Int32
    private static let made = SerialCounter()

    /// `keys[k]` is found as `k` (the first place of a key given twice).
    public init(_ keys: [String]) {
        var size = 8
        while size < keys.count * 4 { size *= 2 }
        var hashes = [UInt64](repeating: 0, count: size), ids = [Int](repeating: -1, count: size)
        var offsets = [Int](repeating: 0, count: size), counts = [Int](repeating: 0, count: size)
        var bytes: [UInt8] = []
        var seen = Set<String>()
        for (k, key) in keys.enumerated() where seen.insert(key).inserted {
            let h = KeyIndex.hash(key)
            var slot = Int(truncatingIfNeeded: h) & (size - 1)
            while ids[slot] >= 0 { slot = (slot + 1) & (size - 1) }
            hashes[slot] = h
            ids[slot] = k
            offsets[slot] = bytes.count
            counts[slot] = key.utf8.count
            bytes += Array(key.utf8)
        }
        self.hashes = hashes
        self.ids = ids
        self.offsets = offsets
        self.counts = counts
        self.bytes = bytes
        mask = size - 1
        serial = Int32(truncatingIfNeeded: KeyIndex.made.next())
    }

    static func hash(_ key: String) -> UInt64 {
        var key = key
        return key.withUTF8 { hash(UnsafeRawBufferPointer($0)) }
    }

    /// The length and the first and last eight bytes, mixed: keys that differ only in between share a hash and are
    /// told apart by their bytes (the index holds a few dozen keys; an unknown key costs at most a few compares).
    @inline(__always)
    static func hash(_ key: UnsafeRawBufferPointer) -> UInt64 {
        let n = key.count
        var h = UInt64(n) &* 0x9E37_79B9_7F4A_7C15
        if n >= 8 {
            h ^= key.loadUnaligned(as: UInt64.self) &* 0xFF51_AFD7_ED55_8CCD
            h ^= key.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self) &* 0xC4CE_B9FE_1A85_EC53
        } else {
            var t: UInt64 = 0
            for j in 0..<n { t |= UInt64(key[j]) << UInt64(8 * j) }
            h ^= t &* 0xFF51_AFD7_ED55_8CCD
        }
        return h ^ (h >> 29)
    }

    /// The place of `key` in the keys the index was made of, or nil.
    public func id(_ key: String) -> Int? {
        var key = key
        return key.withUTF8 { id(bytes: UnsafeRawBufferPointer($0)) }
    }

    /// The place of the key whose UTF-8 bytes are `raw`, or nil.
    public func id(bytes raw: UnsafeRawBufferPointer) -> Int? {
        let h = KeyIndex.hash(raw)
        var slot = Int(truncatingIfNeeded: h) & mask
        return bytes.withUnsafeBytes { known in
            while ids[slot] >= 0 {
                if hashes[slot] == h, counts[slot] == raw.count,
                    raw.count == 0 || JSONKeyTable.same(known.baseAddress! + offsets[slot], raw.baseAddress!, raw.count)
                {
                    return ids[slot]
                }
                slot = (slot + 1) & mask
            }
            return nil
        }
    }
}

/// Key tables lent to the workers of one pass over many records, one to each at a time: a pass cut into dozens of
/// parts made a table per part, each learning the same keys again (their strings, their chains, a random seed).
public final class JSONKeyTables: @unchecked Sendable {
    private let lock = Lock()
    private var free: [JSONKeyTable] = []

    public init() {}

    /// `body` with a table no other worker holds meanwhile.
    public func with<R>(_ body: (JSONKeyTable) -> R) -> R {
        let table = lock.withLock { free.popLast() } ?? JSONKeyTable()
        defer { lock.withLock { free.append(table) } }
        return body(table)
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
        nestedList = nested.map { ($0.key, $0.key.utf8.count, TextEquality.lengthDecides($0.key), $0.value) }
        self.elements = elements
        let n = JSONPick.made.next()
        id = n < 32 ? n : -1
    }

    func builds(_ key: String) -> Bool { keys.contains(key) || nested[key] != nil }

    /// The nested pick of a member built, looked through in a list (a pick nests one or two: hashing the key to look
    /// it up in `nested` cost more, once per member built).
    @inline(__always)
    func nestedPick(_ key: String) -> JSONPick? {
        // A key of another length is passed without a comparison of texts where that is exact (`TextEquality`).
        for (k, n, decides, p) in nestedList where (!decides || key.utf8.count == n) && k == key { return p }
        return nil
    }
    private let nestedList: [(key: String, count: Int, lengthDecides: Bool, pick: JSONPick)]

    private static let made = SerialCounter()
}

/// Numbers handed out once each, from any thread (picks' and key indexes' ids).
final class SerialCounter: @unchecked Sendable {
    private let lock = Lock()
    private var n = 0
    func next() -> Int { lock.withLock { n += 1; return n - 1 } }
}
