import FoundationEssentials
import CScan
import Glibc

public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public var offset: Int
    public var line: Int
    public var column: Int
    public var description: String { "\(message) at line \(line), column \(column)" }
    public init(message: String, offset: Int, line: Int, column: Int) {
        self.message = message
        self.offset = offset
        self.line = line
        self.column = column
    }
}

/// A fast, allocation-light JSON parser over raw bytes.
///
/// - integers that fit in `Int64` stay exact; other numbers become `Double`;
/// - `NaN`, `Infinity`, `-Infinity` (written by Python's `json.dump`) are accepted;
/// - nesting is limited (`maxDepth`) so hostile input cannot overflow the stack;
/// - invalid UTF-8 inside strings is repaired (U+FFFD), never a crash;
/// - object keys are interned, so thousands of spans share one copy of each attribute name.
public struct JSONParser {
    public static let maxDepth = 256
    /// What a skipped long string reads as.
    public static let elided = "…"

    /// Parses one complete JSON document.
    /// `maxStringBytes`: longer string values (not keys) are skipped and read as `JSONParser.elided`; for passes
    /// that need only figures, not prompts.
    public static func parse(_ data: Data, maxStringBytes: Int = .max) throws(JSONParseError) -> JSON {
        try parse(data, range: 0..<data.count, maxStringBytes: maxStringBytes)
    }

    public static func parse(_ string: String) throws(JSONParseError) -> JSON {
        try parse(Data(string.utf8))
    }

    /// Streams the elements of a top-level JSON array: `body(element, byteRange)` for each.
    /// The byte range lets a caller re-parse one element later (lazy trace loading).
    /// If the top level is an object, it is passed as the single element.
    /// Elements already delivered stay delivered when a later element is malformed.
    public static func forEachElement(
        _ data: Data, maxStringBytes: Int = .max, _ body: (JSON, Range<Int>) throws -> Void
    ) throws {
        try data.withUnsafeBytes { raw in
            var p = Cursor(raw)
            p.maxStringBytes = maxStringBytes
            p.skipWhitespace()
            guard p.i < p.end else { throw p.error("the file is empty") }
            if p.peek != UInt8(ascii: "[") {
                let start = p.i
                let v = try p.parseValue(depth: 0)
                try body(v, start..<p.i)
                p.skipWhitespace()
                if p.i < p.end { throw p.error("unexpected data after the JSON value") }
                return
            }
            p.i += 1
            p.skipWhitespace()
            if p.peek == UInt8(ascii: "]") {
                p.i += 1
                return
            }
            while true {
                p.skipWhitespace()
                let start = p.i
                let v = try p.parseValue(depth: 1)
                try body(v, start..<p.i)
                p.skipWhitespace()
                guard p.i < p.end else { throw p.error("the array is not closed (truncated file?)") }
                let c = p.raw[p.i]
                p.i += 1
                if c == UInt8(ascii: ",") { continue }
                if c == UInt8(ascii: "]") { break }
                throw p.error("expected ',' or ']' between array elements")
            }
            p.skipWhitespace()
            if p.i < p.end { throw p.error("unexpected data after the JSON array") }
        }
    }

    /// Parses a sub-range of `data` (an element delivered by `forEachElement` or `elementRanges`), in place. A worker
    /// parsing many elements passes its own `keys` table, shared across them.
    public static func parse(
        _ data: Data, range: Range<Int>, maxStringBytes: Int = .max, keys: JSONKeyTable? = nil
    ) throws(JSONParseError) -> JSON {
        try withCursor(data, range: range, keys: keys, maxStringBytes: maxStringBytes) { p throws(JSONParseError) in
            p.skipWhitespace()
            let v = try p.parseValue(depth: 0)
            try p.expectEnd()
            return v
        }
    }

    /// Parses the object at `range` of `data`, except the values of `deferred` keys that are arrays: those are only
    /// scanned, and the byte ranges of their elements (in `data`) are returned instead, for a caller to parse on all
    /// cores (a trace document whose `spans` hold hundreds of thousands of spans). Nil when `range` holds no object.
    public static func parseObject(
        _ data: Data, range: Range<Int>, deferring deferred: Set<String>, maxStringBytes: Int = .max, keys: JSONKeyTable? = nil
    ) throws(JSONParseError) -> (object: JSONObject, deferred: [String: [Range<Int>]])? {
        try withCursor(data, range: range, keys: keys, maxStringBytes: maxStringBytes) { p throws(JSONParseError) -> (JSONObject, [String: [Range<Int>]])? in
            p.skipWhitespace()
            guard p.peek == UInt8(ascii: "{") else { return nil }
            let (object, ranges) = try p.parseObjectDeferring(deferred)
            try p.expectEnd()
            let shifted = ranges.mapValues { $0.map { ($0.lowerBound + range.lowerBound)..<($0.upperBound + range.lowerBound) } }
            return (object, shifted)
        }
    }

    /// `body` with a cursor over `range` of `data`; the offsets of its errors are `data`'s.
    static func withCursor<R>(
        _ data: Data, range: Range<Int>, keys: JSONKeyTable? = nil, maxStringBytes: Int = .max, _ body: (inout Cursor) throws(JSONParseError) -> R
    ) throws(JSONParseError) -> R {
        guard range.lowerBound >= 0, range.upperBound <= data.count else {
            throw JSONParseError(message: "range outside the file", offset: 0, line: 1, column: 1)
        }
        var result: Result<R, JSONParseError>?
        data.withUnsafeBytes { whole in
            var p = Cursor(UnsafeRawBufferPointer(rebasing: whole[range]), keys: keys ?? JSONKeyTable())
            p.maxStringBytes = maxStringBytes
            do throws(JSONParseError) {
                result = .success(try body(&p))
            } catch {
                result = .failure(JSONParseError(message: error.message, offset: error.offset + range.lowerBound, line: error.line, column: error.column))
            }
        }
        return try result!.get()
    }

    /// The byte range of every element of a top-level array (or the single top-level object), found by a structural
    /// scan that builds no values: the first pass of parallel parsing. On malformed input, the ranges found before
    /// the problem are returned with the error.
    public static func elementRanges(_ data: Data) -> (ranges: [Range<Int>], error: JSONParseError?) {
        var ranges: [Range<Int>] = []
        var err: JSONParseError?
        data.withUnsafeBytes { raw in
            var p = Cursor(raw)
            do throws(JSONParseError) {
                p.skipWhitespace()
                guard p.i < p.end else { throw p.error("the file is empty") }
                if p.peek != UInt8(ascii: "[") {
                    let start = p.i
                    try p.skipValue(depth: 0)
                    ranges.append(start..<p.i)
                    return
                }
                p.i += 1
                p.skipWhitespace()
                if p.peek == UInt8(ascii: "]") { return }
                while true {
                    p.skipWhitespace()
                    let start = p.i
                    try p.skipValue(depth: 1)
                    ranges.append(start..<p.i)
                    p.skipWhitespace()
                    guard p.i < p.end else { throw p.error("the array is not closed (truncated file?)") }
                    let c = p.raw[p.i]
                    p.i += 1
                    if c == UInt8(ascii: ",") { continue }
                    if c == UInt8(ascii: "]") { break }
                    throw p.error("expected ',' or ']' between array elements")
                }
            } catch {
                err = error
            }
        }
        return (ranges, err)
    }

}

struct Cursor {
    let raw: UnsafeRawBufferPointer
    var i: Int = 0
    let end: Int
    let keys: JSONKeyTable
    var scratch: [UInt8] = []
    var maxStringBytes = Int.max
    /// The keys and values read so far of every object and array open at the cursor, innermost last: each takes its
    /// own off the top when it closes, into arrays of their exact size (appended to arrays of their own, a span's
    /// members grew them several times: two thirds of the allocations of a run's first read). The key table's, so
    /// that a worker's parses share them (a table is used by one thread at a time, and parses on it nest).
    let keyStack: ParseStack<String>
    let valueStack: ParseStack<JSON>
    /// Small objects a picking parse built, by their key's slot and the pick they were read with: one met again byte
    /// for byte (each span's resource and status, in a document of hundreds) is that value, not read again.
    var repeats: [(slot: Int, pick: ObjectIdentifier, depth: Int, start: Int, count: Int, value: JSON)] = []

    init(_ raw: UnsafeRawBufferPointer, keys: JSONKeyTable = JSONKeyTable()) {
        self.raw = raw
        self.end = raw.count
        self.keys = keys
        keyStack = keys.memberKeys
        valueStack = keys.memberValues
    }

    var peek: UInt8 { i < end ? raw[i] : 0 }

    func error(_ message: String) -> JSONParseError {
        var line = 1, col = 1
        var k = 0
        let stop = min(i, end)
        while k < stop {
            if raw[k] == 0x0A { line += 1; col = 1 } else if raw[k] & 0xC0 != 0x80 { col += 1 }
            k += 1
        }
        return JSONParseError(message: message, offset: i, line: line, column: col)
    }

    /// Past blanks. After a line break, spaces are passed eight at a time: an indented file (`json.dump(…, indent=2)`,
    /// as SMOLTRACE writes) is a tenth indentation, and a byte at a time it cost more than the strings' scan.
    mutating func skipWhitespace() {
        while i < end {
            let c = raw[i]
            if c == 0x20 || c == 0x0D || c == 0x09 {
                i += 1
            } else if c == 0x0A {
                i += 1
                passIndentation()
            } else {
                break
            }
        }
    }

    /// Past spaces eight at a time, the last of them counted in the word that holds the next byte (its zero bytes
    /// once the spaces are taken out): the indentation after a line break. Spaces in the last seven bytes of the text
    /// are the caller's.
    @inline(__always)
    mutating func passIndentation() {
        while end - i >= 8 {
            let w = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self) ^ 0x2020_2020_2020_2020
            if w != 0 {
                // Little-endian: the first byte is the word's lowest; the first that is no space has a bit set.
                i += UInt64(littleEndian: w).trailingZeroBitCount >> 3
                return
            }
            i += 8
        }
    }

    mutating func parseValue(depth: Int) throws(JSONParseError) -> JSON {
        skipWhitespace()
        guard i < end else { throw error("unexpected end of data (truncated file?)") }
        let c = raw[i]
        switch c {
        case UInt8(ascii: "{"): return try parseObject(depth: depth + 1)
        case UInt8(ascii: "["): return try parseArray(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try parseString(intern: false))
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "N"): try literal("NaN"); return .double(.nan)
        case UInt8(ascii: "I"): try literal("Infinity"); return .double(.infinity)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default:
            if c == 0 { throw error("binary data (NUL byte) where a JSON value was expected") }
            throw error("unexpected character '\(printable(c))'")
        }
    }

    func printable(_ c: UInt8) -> String {
        (c >= 0x20 && c < 0x7F) ? String(UnicodeScalar(c)) : "\\x" + NumberText.hex(c, width: 2)
    }

    mutating func literal(_ word: StaticString) throws(JSONParseError) {
        let n = word.utf8CodeUnitCount
        guard i + n <= end else { throw error("unexpected end of data (truncated file?)") }
        let p = word.utf8Start
        for k in 0..<n where raw[i + k] != p[k] {
            throw error("invalid literal")
        }
        i += n
    }

    mutating func parseObject(depth: Int) throws(JSONParseError) -> JSON {
        .object(try parseMembers(depth: depth, deferring: nil).object)
    }

    /// A top-level object whose `deferred` keys' array values are scanned, not built: their elements' ranges.
    mutating func parseObjectDeferring(_ deferred: Set<String>) throws(JSONParseError) -> (JSONObject, [String: [Range<Int>]]) {
        try parseMembers(depth: 0, deferring: deferred)
    }

    /// The members of the object at the cursor; the array values of `deferred` keys are only scanned for their
    /// elements' ranges.
    mutating func parseMembers(depth: Int, deferring deferred: Set<String>?) throws(JSONParseError) -> (object: JSONObject, deferred: [String: [Range<Int>]]) {
        guard depth <= JSONParser.maxDepth else { throw error("nesting deeper than \(JSONParser.maxDepth) levels") }
        var ranges: [String: [Range<Int>]] = [:]
        let object = try parseMembers { k, p throws(JSONParseError) in
            if let deferred, deferred.contains(k), p.peek == UInt8(ascii: "[") {
                ranges[k] = try p.scanArray()
                return nil
            }
            return try p.parseValue(depth: depth)
        }
        return (object, ranges)
    }

    /// The elements' ranges of the array at the cursor, found by the structural scan; the cursor ends after it.
    mutating func scanArray() throws(JSONParseError) -> [Range<Int>] {
        i += 1
        var out: [Range<Int>] = []
        skipWhitespace()
        if peek == UInt8(ascii: "]") { i += 1; return out }
        while true {
            skipWhitespace()
            let start = i
            try skipValue(depth: 2)
            out.append(start..<i)
            guard try nextAfterItem(closing: UInt8(ascii: "]")) else { break }
        }
        return out
    }

    /// Past the separator after a member or an element: true when another follows (`,`), false past the closing
    /// bracket `close` (`}` of an object, `]` of an array).
    @inline(__always)
    mutating func nextAfterItem(closing close: UInt8) throws(JSONParseError) -> Bool {
        skipWhitespace()
        let object = close == UInt8(ascii: "}")
        guard i < end else {
            throw error(object ? "unexpected end of data inside an object (truncated file?)" : "unexpected end of data inside an array (truncated file?)")
        }
        let c = raw[i]
        i += 1
        if c == UInt8(ascii: ",") { return true }
        if c == close { return false }
        i -= 1
        throw error(object ? "expected ',' or '}' in an object" : "expected ',' or ']' in an array")
    }

    mutating func parseArray(depth: Int) throws(JSONParseError) -> JSON {
        try parseElements(depth: depth) { p throws(JSONParseError) in try p.parseValue(depth: depth) }
    }

    /// The array at the cursor, each element read by `element` with the cursor at its start.
    mutating func parseElements(depth: Int, _ element: (inout Cursor) throws(JSONParseError) -> JSON) throws(JSONParseError) -> JSON {
        guard depth <= JSONParser.maxDepth else { throw error("nesting deeper than \(JSONParser.maxDepth) levels") }
        i += 1
        skipWhitespace()
        if peek == UInt8(ascii: "]") { i += 1; return .array([]) }
        let base = valueStack.count
        do throws(JSONParseError) {
            while true {
                let v = try element(&self)
                valueStack.push(v)
                guard try nextAfterItem(closing: UInt8(ascii: "]")) else { break }
            }
        } catch {
            valueStack.drop(to: base)
            throw error
        }
        return .array(takeValues(from: base))
    }

    /// Skips one value without building it (structure checked loosely: brackets balanced, strings closed).
    mutating func skipValue(depth: Int) throws(JSONParseError) {
        guard depth < JSONParser.maxDepth else { throw error("nesting deeper than \(JSONParser.maxDepth) levels") }
        guard i < end else { throw error("unexpected end of data (truncated file?)") }
        let c = raw[i]
        if c == UInt8(ascii: "{") || c == UInt8(ascii: "[") {
            // Count brackets; strings are skipped whole so brackets inside them do not count.
            var level = 0
            while i < end {
                let b = raw[i]
                switch b {
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    level += 1
                    if level > JSONParser.maxDepth { throw error("nesting deeper than \(JSONParser.maxDepth) levels") }
                    i += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    level -= 1
                    i += 1
                    if level == 0 { return }
                case UInt8(ascii: "\""):
                    try skipString()
                case 0x0A:
                    i += 1
                    passIndentation()
                default:
                    i += 1
                }
            }
            throw error("unexpected end of data (truncated file?)")
        }
        if c == UInt8(ascii: "\"") { return try skipString() }
        // A scalar: up to the next delimiter.
        while i < end {
            let b = raw[i]
            if b == UInt8(ascii: ",") || b == UInt8(ascii: "]") || b == UInt8(ascii: "}") || b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 { break }
            i += 1
        }
    }

    /// From an opening quote to just past its closing quote.
    mutating func skipString() throws(JSONParseError) {
        let start = i + 1
        let q = start + tm_json_string_end(raw.baseAddress! + start, end - start)
        guard q < end else {
            i = end
            throw error("unterminated string (truncated file?)")
        }
        i = q + 1
    }

    /// The string at the cursor (its opening quote); `intern`: held once in the key table (`parseKey`).
    mutating func parseString(intern: Bool) throws(JSONParseError) -> String {
        if intern {
            try parseKey()
            return keys.lastInterned
        }
        if maxStringBytes != .max {
            // Find the closing quote without decoding, keep short strings, elide long ones.
            let start = i + 1
            let k = start + tm_json_string_end(raw.baseAddress! + start, end - start)
            if k < end && k - start > maxStringBytes {
                i = k + 1
                return JSONParser.elided
            }
        }
        if let b = try stringBytes() { return String(decoding: b, as: UTF8.self) }
        return scratch.withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
    }

    /// The string at the cursor (its opening quote) noted in the key table (`JSONKeyTable.note`), no `String` made
    /// for it (`keys.lastInterned` is the one the table holds): an object's keys, most of them only looked up.
    mutating func parseKey() throws(JSONParseError) {
        if let b = try stringBytes() {
            keys.note(b)
        } else {
            scratch.withUnsafeBytes { keys.note($0) }
        }
    }

    /// The bytes of the string at the cursor (its opening quote), the cursor moved past its closing quote: the text's
    /// own when the string has no escape; else nil, and the string decoded into `scratch`.
    @inline(__always)
    mutating func stringBytes() throws(JSONParseError) -> UnsafeRawBufferPointer? {
        i += 1  // opening quote
        let start = i
        // Fast path: the first quote or backslash is the closing quote.
        let stop = i + tm_string_stop(raw.baseAddress! + i, end - i)
        if stop < end, raw[stop] == 0x22 {
            i = stop + 1
            return UnsafeRawBufferPointer(rebasing: raw[start..<stop])
        }
        // An escape first: decoded from there, if a quote closes the string at all (else it is cut short, whatever
        // its escapes).
        guard stop < end, memchr(raw.baseAddress! + stop, 0x22, end - stop) != nil else {
            i = end
            throw error("unterminated string (truncated file?)")
        }
        i = stop
        // Slow path with escapes.
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: UnsafeRawBufferPointer(rebasing: raw[start..<i]))
        while i < end {
            let c = raw[i]
            if c == UInt8(ascii: "\"") {
                i += 1
                return nil
            }
            if c != UInt8(ascii: "\\") {
                scratch.append(c)
                i += 1
                continue
            }
            i += 1
            guard i < end else { break }
            let e = raw[i]
            i += 1
            switch e {
            case UInt8(ascii: "\""): scratch.append(0x22)
            case UInt8(ascii: "\\"): scratch.append(0x5C)
            case UInt8(ascii: "/"): scratch.append(0x2F)
            case UInt8(ascii: "b"): scratch.append(0x08)
            case UInt8(ascii: "f"): scratch.append(0x0C)
            case UInt8(ascii: "n"): scratch.append(0x0A)
            case UInt8(ascii: "r"): scratch.append(0x0D)
            case UInt8(ascii: "t"): scratch.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4()
                if (0xD800...0xDBFF).contains(scalar) {
                    // A surrogate pair, if a low surrogate follows.
                    if i + 6 <= end, raw[i] == UInt8(ascii: "\\"), raw[i + 1] == UInt8(ascii: "u") {
                        let save = i
                        i += 2
                        let low = try hex4()
                        if (0xDC00...0xDFFF).contains(low) {
                            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        } else {
                            i = save
                            scalar = 0xFFFD
                        }
                    } else {
                        scalar = 0xFFFD
                    }
                } else if (0xDC00...0xDFFF).contains(scalar) {
                    scalar = 0xFFFD
                }
                appendUTF8(scalar)
            default:
                throw error("invalid escape '\\\(printable(e))' in a string")
            }
        }
        throw error("unterminated string (truncated file?)")
    }

    mutating func hex4() throws(JSONParseError) -> UInt32 {
        guard i + 4 <= end else { throw error("truncated \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            guard let d = Cursor.hexValue(raw[i]) else { throw error("invalid \\u escape") }
            v = v << 4 | d
            i += 1
        }
        return v
    }

    /// A hex digit's value (either case), or nil: the digits of a `\\u` escape, read by `hex4` and checked by `checkString`.
    @inline(__always)
    static func hexValue(_ c: UInt8) -> UInt32? {
        switch c {
        case 0x30...0x39: return UInt32(c - 0x30)
        case 0x41...0x46: return UInt32(c - 0x41 + 10)
        case 0x61...0x66: return UInt32(c - 0x61 + 10)
        default: return nil
        }
    }

    mutating func appendUTF8(_ s: UInt32) {
        switch s {
        case 0..<0x80: scratch.append(UInt8(s))
        case 0x80..<0x800:
            scratch.append(UInt8(0xC0 | (s >> 6)))
            scratch.append(UInt8(0x80 | (s & 0x3F)))
        case 0x800..<0x10000:
            scratch.append(UInt8(0xE0 | (s >> 12)))
            scratch.append(UInt8(0x80 | ((s >> 6) & 0x3F)))
            scratch.append(UInt8(0x80 | (s & 0x3F)))
        default:
            scratch.append(UInt8(0xF0 | (s >> 18)))
            scratch.append(UInt8(0x80 | ((s >> 12) & 0x3F)))
            scratch.append(UInt8(0x80 | ((s >> 6) & 0x3F)))
            scratch.append(UInt8(0x80 | (s & 0x3F)))
        }
    }
}
