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
/// into `bytes` as they come.
public struct JSONRecordText: JSONRecordSink {
    public var bytes: [UInt8]
    let indent: Int
    var count = 0

    init(bytes: [UInt8], indent: Int) {
        self.bytes = bytes
        self.indent = indent
    }

    /// The key of the next member, after its separator and line break.
    mutating func key(_ key: StaticString) {
        let open = count == 0 ? UInt8(ascii: "{") : UInt8(ascii: ",")
        count += 1
        let n = key.utf8CodeUnitCount, spaces = indent + 2
        // A plain key (printable ASCII, no quote or backslash: every key a report has) with its line break and
        // indentation, made on the stack and appended at once: a dozen appends a member were a tenth of a report.
        if n <= 64, spaces <= 64, JSONRecordText.isPlain(key.utf8Start, n) {
            // The break and spaces, and the key, copied whole (byte by byte, with the key read through `StaticString`
            // each time, this was 270 instructions a member: 14% of a leaderboard of 10,000 runs).
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 2 * 64 + 8) { b in
                let p = b.baseAddress!
                p[0] = open
                (p + 1).initialize(from: JSONRecordText.breakAndSpaces.utf8Start, count: spaces + 1)
                var k = 2 + spaces
                p[k] = UInt8(ascii: "\"")
                (p + k + 1).initialize(from: key.utf8Start, count: n)
                k += n + 1
                p[k] = UInt8(ascii: "\"")
                p[k + 1] = UInt8(ascii: ":")
                p[k + 2] = 0x20
                bytes.append(contentsOf: UnsafeBufferPointer(start: p, count: k + 3))
            }
            return
        }
        bytes.append(open)
        JSONWriter.newline(&bytes, spaces)
        _ = key.withUTF8Buffer { JSONWriter.writeString(utf8: UnsafeRawBufferPointer($0), into: &bytes) }
        bytes.append(UInt8(ascii: ":"))
        bytes.append(0x20)
    }

    /// A line break and 64 spaces: a member's break and indentation are copied from here.
    static var breakAndSpaces: StaticString { "\n                                                                " }

    /// Whether none of the `n` bytes at `p` needs a look from the string writer (printable ASCII, no quote or
    /// backslash), eight at a time.
    @inline(__always)
    static func isPlain(_ p: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        var i = 0
        while i + 8 <= n {
            if JSONWriter.needsLook(UInt64(littleEndian: UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self))) { return false }
            i += 8
        }
        while i < n {
            let c = p[i]
            if c < 0x20 || c >= 0x7F || c == 0x22 || c == 0x5C { return false }
            i += 1
        }
        return true
    }

    public mutating func member(_ key: StaticString, _ v: JSON) {
        self.key(key)
        JSONWriter.write(v, into: &bytes, pretty: true, indent: indent + 2, step: 2)
    }

    // Scalars written as `JSONWriter.write` writes their values, without making the values (a leaderboard of 10,000
    // runs writes 460,000 members).
    public mutating func member(_ key: StaticString, _ s: String?) {
        self.key(key)
        if let s { JSONWriter.writeString(s, into: &bytes) } else { JSONWriter.literal("null", &bytes) }
    }
    public mutating func member(_ key: StaticString, _ i: Int?) {
        self.key(key)
        if let i { JSONWriter.writeInt(Int64(i), into: &bytes) } else { JSONWriter.literal("null", &bytes) }
    }
    public mutating func member(_ key: StaticString, _ d: Double?) {
        self.key(key)
        if let d { JSONWriter.writeDouble(d, into: &bytes) } else { JSONWriter.literal("null", &bytes) }
    }
    public mutating func member(_ key: StaticString, _ b: Bool?) {
        self.key(key)
        JSONWriter.literal(b == nil ? "null" : b! ? "true" : "false", &bytes)
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
        if count == 0 {
            JSONWriter.literal("{}", &bytes)
        } else {
            JSONWriter.newline(&bytes, indent)
            bytes.append(UInt8(ascii: "}"))
        }
    }

    /// Writes the record `fill` makes into `out` at `indent`.
    public static func write(into out: inout [UInt8], indent: Int, _ fill: (inout JSONRecordText) -> Void) {
        var t = JSONRecordText(bytes: [], indent: indent)
        swap(&t.bytes, &out)
        fill(&t)
        t.close()
        swap(&t.bytes, &out)
    }
}

extension JSONElementText {
    /// The next element, a record written member by member as `fill` makes it.
    public mutating func record(_ fill: (inout JSONRecordText) -> Void) {
        element { out, indent in JSONRecordText.write(into: &out, indent: indent, fill) }
    }
}
