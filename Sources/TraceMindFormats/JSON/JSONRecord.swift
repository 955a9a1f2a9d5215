/// Where a report's record goes, member by member: built as a value (`JSONRecordBuilder`: CSV, documents that nest
/// it) or written as text at once (`JSONRecordText`: a streamed report of 10,000 records makes no value of any). A
/// record is defined once, as a function over a sink, and both forms are the same record: the text is byte for byte
/// `JSONWriter`'s pretty text of the built value.
public protocol JSONRecordSink {
    /// A member whose value is `v` (a scalar, or a value already made).
    mutating func member(_ key: StaticString, _ v: JSON)
    /// A member whose value is an object made by `body` on a sink of the same kind.
    mutating func object(_ key: StaticString, _ body: (inout Self) -> Void)
    /// Scalar members: by default the value made and given to `member(_:_:)`; a text sink writes them at once.
    mutating func member(_ key: StaticString, _ s: String?)
    mutating func member(_ key: StaticString, _ i: Int?)
    mutating func member(_ key: StaticString, _ d: Double?)
    mutating func member(_ key: StaticString, _ b: Bool?)
}

extension JSONRecordSink {
    public mutating func member(_ key: StaticString, _ s: String?) { member(key, s.map { .string($0) } ?? .null) }
    public mutating func member(_ key: StaticString, _ i: Int?) { member(key, i.map { .int(Int64($0)) } ?? .null) }
    public mutating func member(_ key: StaticString, _ d: Double?) { member(key, d.map { .double($0) } ?? .null) }
    public mutating func member(_ key: StaticString, _ b: Bool?) { member(key, b.map { .bool($0) } ?? .null) }
}

/// The record as a value: `pairs`, in order (`JSON.obj(pairs)`).
public struct JSONRecordBuilder: JSONRecordSink {
    public private(set) var pairs: [(String, JSON)] = []

    public init() {}

    public mutating func member(_ key: StaticString, _ v: JSON) { pairs.append((key.description, v)) }

    public mutating func object(_ key: StaticString, _ body: (inout JSONRecordBuilder) -> Void) {
        member(key, JSONRecordBuilder.build(body))
    }

    /// The record `fill` makes, as a value.
    public static func build(_ fill: (inout JSONRecordBuilder) -> Void) -> JSON { .obj(pairs(fill)) }

    /// Its members, to be part of another record.
    public static func pairs(_ fill: (inout JSONRecordBuilder) -> Void) -> [(String, JSON)] {
        var b = JSONRecordBuilder()
        fill(&b)
        return b.pairs
    }
}

/// The record written as `JSONWriter` writes the pretty text of its value, its first line at `indent`: members go
/// into `bytes` as they come. Members whose whole text is made here (keys, scalars) are staged in memory on the
/// stack of `write(into:indent:_:)` and go into `bytes` a kilobyte at a time: an append to an array checks its
/// uniqueness and room and cost more than the text of a member; a member was eight of them, then one.
public struct JSONRecordText: JSONRecordSink {
    /// The text written so far, less what is staged (`flush()` moves it here; `write(into:indent:_:)` does at the end).
    public private(set) var bytes: [UInt8]
    let indent: Int
    var count = 0
    /// The staging memory (`stageRoom` bytes) and how much of it is used.
    let stage: UnsafeMutablePointer<UInt8>
    var staged = 0

    /// 1 KB: the most `withUnsafeTemporaryAllocation` is sure to place on the stack. At 4 KB it asked the runtime
    /// whether the stack had room, was told no, and allocated the stage on the heap for every record (a malloc and a
    /// free of 4 KB, some 600 instructions, 10,000 times in a leaderboard of 10,000 runs).
    static let stageRoom = 1024
    /// The most a member's text made here takes: its separator, break, indentation (64), key (64) and quotes, and a
    /// value of `valueRoom`.
    static let memberRoom = 2 * 64 + 8 + valueRoom

    init(bytes: [UInt8], indent: Int, stage: UnsafeMutablePointer<UInt8>) {
        self.bytes = bytes
        self.indent = indent
        self.stage = stage
    }

    /// What is staged, appended to `bytes`.
    @inline(__always)
    mutating func flush() {
        if staged > 0 {
            bytes.append(contentsOf: UnsafeBufferPointer(start: stage, count: staged))
            staged = 0
        }
    }

    /// Room for a member's text in the stage: where it goes.
    @inline(__always)
    mutating func room() -> UnsafeMutablePointer<UInt8> {
        if staged + JSONRecordText.memberRoom > JSONRecordText.stageRoom { flush() }
        return stage + staged
    }

    /// The separator, line break, indentation and key of the next member at `p` (a plain key of at most 64 bytes at
    /// an indentation of at most 64: every key a report has); their length.
    @inline(__always)
    mutating func putKey(_ key: StaticString, _ p: UnsafeMutablePointer<UInt8>) -> Int {
        let n = key.utf8CodeUnitCount, spaces = indent + 2
        p[0] = count == 0 ? UInt8(ascii: "{") : UInt8(ascii: ",")
        count += 1
        // The break and spaces, and the key, copied whole (byte by byte, with the key read through `StaticString`
        // each time, this was 270 instructions a member: 14% of a leaderboard of 10,000 runs).
        (p + 1).initialize(from: JSONRecordText.breakAndSpaces.utf8Start, count: spaces + 1)
        var k = 2 + spaces
        p[k] = UInt8(ascii: "\"")
        (p + k + 1).initialize(from: key.utf8Start, count: n)
        k += n + 1
        p[k] = UInt8(ascii: "\"")
        p[k + 1] = UInt8(ascii: ":")
        p[k + 2] = 0x20
        return k + 3
    }

    /// Whether `putKey` can write `key`.
    @inline(__always)
    func fits(_ key: StaticString) -> Bool {
        key.utf8CodeUnitCount <= 64 && indent + 2 <= 64 && JSONWriter.isPlain(UnsafeRawBufferPointer(start: key.utf8Start, count: key.utf8CodeUnitCount))
    }

    /// The key of the next member, after its separator and line break, in `bytes` (the value is written there next).
    mutating func key(_ key: StaticString) {
        if fits(key) {
            staged += putKey(key, room())
            flush()
            return
        }
        flush()
        bytes.append(count == 0 ? UInt8(ascii: "{") : UInt8(ascii: ","))
        count += 1
        JSONWriter.newline(&bytes, indent + 2)
        _ = key.withUTF8Buffer { JSONWriter.writeString(utf8: UnsafeRawBufferPointer($0), into: &bytes) }
        bytes.append(UInt8(ascii: ":"))
        bytes.append(0x20)
    }

    /// A line break and 64 spaces: a member's break and indentation are copied from here.
    static var breakAndSpaces: StaticString { "\n                                                                " }

    public mutating func member(_ key: StaticString, _ v: JSON) {
        self.key(key)
        JSONWriter.write(v, into: &bytes, pretty: true, indent: indent + 2, step: 2)
    }

    // Scalars written as `JSONWriter.write` writes their values, without making the values (a leaderboard of 10,000
    // runs writes 460,000 members). A member's whole text (separator, break, indentation, key and value) is made on
    // the stack and appended at once where it can be (`scalar`): each small append checks the array's uniqueness and
    // room, and a member was eight of them.
    public mutating func member(_ key: StaticString, _ s: String?) {
        guard var s else { return scalar(key, { JSONRecordText.put("null", $0) }, { JSONWriter.literal("null", &$0) }) }
        scalar(key, { p in s.withUTF8 { $0.count > JSONRecordText.valueRoom - 2 ? nil : JSONWriter.putPlainString(UnsafeRawBufferPointer($0), at: p) } }, { JSONWriter.writeString(s, into: &$0) })
    }
    public mutating func member(_ key: StaticString, _ i: Int?) {
        guard let i else { return scalar(key, { JSONRecordText.put("null", $0) }, { JSONWriter.literal("null", &$0) }) }
        scalar(key, { JSONWriter.putInt(Int64(i), at: $0) }, { JSONWriter.writeInt(Int64(i), into: &$0) })
    }
    public mutating func member(_ key: StaticString, _ d: Double?) {
        guard let d else { return scalar(key, { JSONRecordText.put("null", $0) }, { JSONWriter.literal("null", &$0) }) }
        scalar(key, { JSONWriter.putDouble(d, at: $0) }, { JSONWriter.writeDouble(d, into: &$0) })
    }
    public mutating func member(_ key: StaticString, _ b: Bool?) {
        let text: StaticString = b == nil ? "null" : b! ? "true" : "false"
        scalar(key, { JSONRecordText.put(text, $0) }, { JSONWriter.literal(text, &$0) })
    }

    /// The room a scalar's value has on the stack after its key (a number takes `JSONWriter.numberRoom` at most).
    static let valueRoom = 256

    /// A member whose value `fast` writes at the pointer it is given (at most `valueRoom` bytes, the count returned;
    /// nil when it cannot: a text to escape, or too long), else `slow` appends it as `JSONWriter` writes it.
    @inline(__always)
    mutating func scalar(_ key: StaticString, _ fast: (UnsafeMutablePointer<UInt8>) -> Int?, _ slow: (inout [UInt8]) -> Void) {
        guard fits(key) else {
            self.key(key)
            slow(&bytes)
            return
        }
        let p = room()
        let k = putKey(key, p)
        if let m = fast(p + k) {
            staged += k + m
        } else {
            staged += k
            flush()
            slow(&bytes)
        }
    }

    /// A literal at `p`; its length.
    @inline(__always)
    static func put(_ s: StaticString, _ p: UnsafeMutablePointer<UInt8>) -> Int? {
        p.initialize(from: s.utf8Start, count: s.utf8CodeUnitCount)
        return s.utf8CodeUnitCount
    }

    /// A member whose value's text `write` writes itself (its first line at the given indentation), as `JSONWriter`
    /// would write the value.
    public mutating func member(_ key: StaticString, text write: (inout [UInt8], Int) -> Void) {
        self.key(key)
        write(&bytes, indent + 2)
    }

    public mutating func object(_ key: StaticString, _ body: (inout JSONRecordText) -> Void) {
        self.key(key)
        JSONRecordText.write(into: &bytes, indent: indent + 2, body)
    }

    /// The closing brace (`{}` when no member came).
    mutating func close() {
        flush()
        if count == 0 {
            JSONWriter.literal("{}", &bytes)
        } else {
            JSONWriter.newline(&bytes, indent)
            bytes.append(UInt8(ascii: "}"))
        }
    }

    /// Writes the record `fill` makes into `out` at `indent`.
    public static func write(into out: inout [UInt8], indent: Int, _ fill: (inout JSONRecordText) -> Void) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: stageRoom) { stage in
            var t = JSONRecordText(bytes: [], indent: indent, stage: stage.baseAddress!)
            swap(&t.bytes, &out)
            fill(&t)
            t.close()
            swap(&t.bytes, &out)
        }
    }
}

extension JSONElementText {
    /// The next element, a record written member by member as `fill` makes it.
    public mutating func record(_ fill: (inout JSONRecordText) -> Void) {
        element { out, indent in JSONRecordText.write(into: &out, indent: indent, fill) }
    }
}
