import FoundationEssentials
import Glibc

/// Writing JSON text straight from JSON text: the pretty form `JSONWriter` gives the value the parser would build, byte
/// for byte, without building it (a trace report writes the attributes of a million spans: parsing them into values
/// and writing those out was most of its time). Strings are copied a run at a time, escaped as the writer escapes;
/// a string with escapes, numbers and literals go through the parser's own code, so nothing is read differently.
extension JSONParser {
    /// How `members(of:keys:text:indent:_:)` takes one member of an object.
    public enum MemberUse: Sendable {
        /// Its value as `JSONWriter` writes it, appended to the text; of an object, its members whose value is null
        /// left out (not nested ones).
        case text(droppingNulls: Bool)
        /// Its value built.
        case value
        /// Its value checked as the parser would read it, then passed over.
        case check
    }

    /// What `members(of:keys:text:indent:_:)` made of one member.
    public enum MemberRead: Sendable {
        /// Where in the text its value was written.
        case text(Range<Int>)
        case value(JSON)
    }

    /// The members of the object in `raw` that `use` asks for, in order (duplicates included), each as asked: a value
    /// as text is appended to `out`, written at `indent`, the others built; the rest checked. The bytes are accepted
    /// exactly when `JSONParser.parse` accepts them (this throws where the parser throws). Nil when `raw` holds no
    /// object, or when the text cannot be made without building the value (nesting beyond `transcodeDepth`): the
    /// caller builds it then, and drops what was appended.
    public static func members(
        of raw: UnsafeRawBufferPointer, keys: JSONKeyTable, text out: inout [UInt8], indent: Int, _ use: (String) -> MemberUse?
    ) throws(JSONParseError) -> [(String, MemberRead)]? {
        var p = Cursor(raw, keys: keys)
        p.skipWhitespace()
        guard p.peek == UInt8(ascii: "{") else { return nil }
        var read: [(String, MemberRead)] = []
        var deep = false
        _ = try p.parseMembers({ k, p throws(JSONParseError) in
            switch use(k) {
            case .text(let drop)?:
                let start = out.count
                if try p.transcode(into: &out, indent: indent, depth: 1, droppingNulls: drop) { read.append((k, .text(start..<out.count))) } else { deep = true }
            case .value?:
                read.append((k, .value(try p.parseValue(depth: 1))))
            case .check?, nil:
                if !(try p.check(depth: 1)) { deep = true }
            }
            return nil
        }, endingAt: { deep })
        guard !deep else { return nil }
        try p.expectEnd()
        return read
    }

    /// Values nested deeper than this are built instead (`members(of:keys:text:indent:_:)` answers nil): far below
    /// `maxDepth`, so the parser's own limit decides what is too deep.
    public static let transcodeDepth = 64
}

extension Cursor {
    /// Writes the value at the cursor as `JSONWriter.write(parseValue(depth:), pretty: true, indent:, step: 2)` would,
    /// the cursor past it; false (the output then incomplete) when it is nested beyond `JSONParser.transcodeDepth`.
    /// `droppingNulls`: of an object, members whose value is null are left out (not nested ones).
    mutating func transcode(into out: inout [UInt8], indent: Int, depth: Int, droppingNulls: Bool = false) throws(JSONParseError) -> Bool {
        guard depth <= JSONParser.transcodeDepth else { return false }
        skipWhitespace()
        guard i < end else { throw error("unexpected end of data (truncated file?)") }
        switch raw[i] {
        case UInt8(ascii: "\""):
            try transcodeString(into: &out)
            return true
        case UInt8(ascii: "{"):
            if passEmpty(UInt8(ascii: "{"), UInt8(ascii: "}"), into: &out) { return true }
            var wrote = false
            var key: [UInt8] = []
            while true {
                skipWhitespace()
                guard i < end else { throw error("unexpected end of data inside an object (truncated file?)") }
                guard raw[i] == UInt8(ascii: "\"") else { throw error("expected a string key") }
                key.removeAll(keepingCapacity: true)
                try transcodeString(into: &key)
                skipWhitespace()
                guard peek == UInt8(ascii: ":") else {
                    throw i < end ? error("expected ':' after a key") : error("unexpected end of data (truncated file?)")
                }
                i += 1
                skipWhitespace()
                if droppingNulls && peek == UInt8(ascii: "n") {
                    try literal("null")
                } else {
                    out.append(wrote ? UInt8(ascii: ",") : UInt8(ascii: "{"))
                    wrote = true
                    JSONWriter.newline(&out, indent + 2)
                    out.append(contentsOf: key)
                    out.append(UInt8(ascii: ":"))
                    out.append(0x20)
                    guard try transcode(into: &out, indent: indent + 2, depth: depth + 1) else { return false }
                }
                guard try nextAfterItem(closing: UInt8(ascii: "}")) else { break }
            }
            if wrote {
                JSONWriter.newline(&out, indent)
                out.append(UInt8(ascii: "}"))
            } else {
                out.append(UInt8(ascii: "{"))
                out.append(UInt8(ascii: "}"))
            }
            return true
        case UInt8(ascii: "["):
            if passEmpty(UInt8(ascii: "["), UInt8(ascii: "]"), into: &out) { return true }
            out.append(UInt8(ascii: "["))
            var first = true
            while true {
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                JSONWriter.newline(&out, indent + 2)
                guard try transcode(into: &out, indent: indent + 2, depth: depth + 1) else { return false }
                guard try nextAfterItem(closing: UInt8(ascii: "]")) else { break }
            }
            JSONWriter.newline(&out, indent)
            out.append(UInt8(ascii: "]"))
            return true
        default:
            // Numbers and literals: read by the parser, written by the writer.
            JSONWriter.write(try parseValue(depth: depth), into: &out, pretty: true, indent: indent, step: 2)
            return true
        }
    }

    /// Past the value at the cursor, accepted exactly when `parseValue(depth:)` accepts it, but neither built nor
    /// written (a span's members beside its attributes, in a trace report: without writing them into a scratch buffer
    /// to check them, 300,000 spans' report took 3.71 s instead of 4.57); false when it is nested beyond
    /// `JSONParser.transcodeDepth`.
    mutating func check(depth: Int) throws(JSONParseError) -> Bool {
        guard depth <= JSONParser.transcodeDepth else { return false }
        skipWhitespace()
        guard i < end else { throw error("unexpected end of data (truncated file?)") }
        switch raw[i] {
        case UInt8(ascii: "\""):
            try checkString()
            return true
        case UInt8(ascii: "{"):
            if passEmpty(closing: UInt8(ascii: "}")) { return true }
            while true {
                skipWhitespace()
                guard i < end else { throw error("unexpected end of data inside an object (truncated file?)") }
                guard raw[i] == UInt8(ascii: "\"") else { throw error("expected a string key") }
                try checkString()
                skipWhitespace()
                guard peek == UInt8(ascii: ":") else {
                    throw i < end ? error("expected ':' after a key") : error("unexpected end of data (truncated file?)")
                }
                i += 1
                guard try check(depth: depth + 1) else { return false }
                guard try nextAfterItem(closing: UInt8(ascii: "}")) else { break }
            }
            return true
        case UInt8(ascii: "["):
            if passEmpty(closing: UInt8(ascii: "]")) { return true }
            while true {
                guard try check(depth: depth + 1) else { return false }
                guard try nextAfterItem(closing: UInt8(ascii: "]")) else { break }
            }
            return true
        default:
            // Numbers and literals: read by the parser (they are short).
            _ = try parseValue(depth: depth)
            return true
        }
    }

    /// Past the string at the cursor, accepted exactly when `parseString` accepts it: closed, and each backslash
    /// the start of one of JSON's escapes (`\u` with four hex digits; its text is not decoded).
    mutating func checkString() throws(JSONParseError) {
        let open = i
        try skipString()
        let close = i - 1
        let base = raw.baseAddress!
        var k = open + 1
        while k < close, let hit = memchr(base + k, 0x5C, close - k) {
            // The escaped byte: the closing quote is never one (the scan passed escaped quotes).
            k = base.distance(to: UnsafeRawPointer(hit)) + 1
            switch raw[k] {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"), UInt8(ascii: "n"),
                UInt8(ascii: "r"), UInt8(ascii: "t"):
                k += 1
            case UInt8(ascii: "u"):
                // Four hex digits before the closing quote (a quote among them is where the parser's `hex4` fails).
                guard k + 4 < close else { i = k + 1; throw error("invalid \\u escape") }
                for d in (k + 1)...(k + 4) where Cursor.hexValue(raw[d]) == nil {
                    i = d
                    throw error("invalid \\u escape")
                }
                k += 5
            default:
                i = k + 1
                throw error("invalid escape '\\\(printable(raw[k]))' in a string")
            }
        }
    }

    /// Past the opening bracket at the cursor: an empty container (`{}`, `[]`) written as the writer writes it and
    /// passed (true), else the cursor at its first member or element (false).
    mutating func passEmpty(_ open: UInt8, _ close: UInt8, into out: inout [UInt8]) -> Bool {
        guard passEmpty(closing: close) else { return false }
        out.append(open)
        out.append(close)
        return true
    }

    /// Past the opening bracket at the cursor: past the container too when it is empty (true), else the cursor at its
    /// first member or element (false).
    mutating func passEmpty(closing close: UInt8) -> Bool {
        i += 1
        skipWhitespace()
        guard peek == close else { return false }
        i += 1
        return true
    }

    /// The string at the cursor as the writer writes the text the parser reads: its bytes escaped when it has no
    /// escape and is valid UTF-8, else decoded by `parseString` first.
    mutating func transcodeString(into out: inout [UInt8]) throws(JSONParseError) {
        let open = i
        try skipString()
        let body = UnsafeRawBufferPointer(rebasing: raw[(open + 1)..<(i - 1)])
        if body.isEmpty || memchr(body.baseAddress!, 0x5C, body.count) == nil {
            if JSONWriter.writeString(utf8: body, into: &out) { return }
            // Not UTF-8: what the parser makes of it (each bad sequence a replacement character).
            JSONWriter.writeString(String(decoding: body, as: UTF8.self), into: &out)
            return
        }
        i = open
        JSONWriter.writeString(try parseString(intern: false), into: &out)
    }
}
