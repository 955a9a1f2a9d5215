import TraceMindFormats

/// Span ids to the first span that has each: an open-addressing table hashed with `Hash64.words` on the id's bytes.
/// Swift's `Dictionary` hashes every id with SipHash through the `Hashable` machinery, a third of building the tree
/// of a 300,000-span trace. Ids are untrusted text: the seed is random (per process), and a table whose probes run long
/// (ids made to collide) gives way to a `Dictionary`.
struct SpanIDTable {
    private var slots: [Int32]
    private var tags: [UInt64]
    private let mask: Int
    private let seed: UInt64
    private let ids: [String]
    private var fallback: [String: Int]?

    init(_ spans: [Span]) { self.init(ids: spans.map(\.spanID)) }

    /// `probeLimit`: probes per id, on average, past which the table gives way to a `Dictionary`.
    init(ids: [String], probeLimit: Int = 16) {
        self.ids = ids
        var capacity = 16
        while capacity < ids.count * 2 { capacity <<= 1 }
        slots = [Int32](repeating: -1, count: capacity)
        tags = [UInt64](repeating: 0, count: capacity)
        mask = capacity - 1
        seed = Hash64.processSeed
        fallback = nil
        guard ids.count < Int(Int32.max) else {
            useDictionary()
            return
        }
        var probes = 0
        for (i, id) in ids.enumerated() {
            let h = hash(id)
            var s = Int(truncatingIfNeeded: h) & mask
            while slots[s] >= 0 {
                if tags[s] == h && ids[Int(slots[s])] == id { break }  // a later span with the same id: the first wins
                s = (s + 1) & mask
                probes += 1
            }
            if probes > probeLimit * (ids.count + 16) {
                useDictionary()
                return
            }
            if slots[s] < 0 {
                slots[s] = Int32(i)
                tags[s] = h
            }
        }
    }

    /// Whether the ids collided so much that a `Dictionary` holds them.
    var isDictionary: Bool { fallback != nil }

    private mutating func useDictionary() {
        var d: [String: Int] = [:]
        d.reserveCapacity(ids.count)
        for (i, id) in ids.enumerated() where d[id] == nil { d[id] = i }
        fallback = d
        slots = []
        tags = []
    }

    private func hash(_ id: String) -> UInt64 {
        var id = id
        return id.withUTF8 { Hash64.words(UnsafeRawBufferPointer($0), seed: seed) }
    }

    /// The first span with this id.
    func index(of id: String) -> Int? {
        if let fallback { return fallback[id] }
        let h = hash(id)
        var s = Int(truncatingIfNeeded: h) & mask
        while slots[s] >= 0 {
            if tags[s] == h && ids[Int(slots[s])] == id { return Int(slots[s]) }
            s = (s + 1) & mask
        }
        return nil
    }
}
