import FoundationEssentials

/// A cursor over JSON text for a reader that makes its own records straight from the bytes (a span of a trace file:
/// its fields by their keys' bytes, its figure attributes, never an object of its members first). It reads what a
/// picking parse reads (`JSONParser.parse(_:range:pick:)`), in the same order, with the same checks and messages:
/// a member its caller passes over is scanned as `skip` says, one it keeps is parsed whole.
public struct JSONReader {
    var p: Cursor

    init(_ p: Cursor) { self.p = p }

    /// Where the cursor is, from the start of the range read.
    public var offset: Int { p.i }

    /// The key of the member `members` handed over (one shared copy: the worker's key table). Asked for before the
    /// member's value is read: reading it notes the keys inside.
    public var key: String { p.keys.lastInterned }

    /// The members of the object at the cursor, in order: `member` gets each key's place in `known` (nil: not there;
    /// found by its bytes, once per key and table), with the reader at its value, and reads exactly that value
    /// (`value`, `skip`, `picked`, `members`…); the key's text is `key`, asked for before the value is read. False,
    /// with nothing read, when the value at the cursor is no object. `depth` is the object's.
    public mutating func members(
        depth: Int, known: KeyIndex, _ member: (Int?, inout JSONReader) throws(JSONParseError) -> Void
    ) throws(JSONParseError) -> Bool {
        guard let empty = try enter(UInt8(ascii: "{"), UInt8(ascii: "}"), depth: depth) else { return false }
        if empty { return true }
        while true {
            p.skipWhitespace()
            guard p.i < p.end else { throw p.error("unexpected end of data inside an object (truncated file?)") }
            guard p.raw[p.i] == UInt8(ascii: "\"") else { throw p.error("expected a string key") }
            try p.parseKey()
            let id = p.keys.tag(known)
            p.skipWhitespace()
            guard p.peek == UInt8(ascii: ":") else {
                throw p.i < p.end ? p.error("expected ':' after a key") : p.error("unexpected end of data (truncated file?)")
            }
            p.i += 1
            p.skipWhitespace()
            try member(id, &self)
            guard try p.nextAfterItem(closing: UInt8(ascii: "}")) else { break }
        }
        return true
    }

    /// The elements of the array at the cursor, in order, each read by `element` (exactly one value). False, with
    /// nothing read, when the value at the cursor is no array. `depth` is the array's.
    public mutating func elements(depth: Int, _ element: (inout JSONReader) throws(JSONParseError) -> Void) throws(JSONParseError) -> Bool {
        guard let empty = try enter(UInt8(ascii: "["), UInt8(ascii: "]"), depth: depth) else { return false }
        if empty { return true }
        while true {
            p.skipWhitespace()
            try element(&self)
            guard try p.nextAfterItem(closing: UInt8(ascii: "]")) else { break }
        }
        return true
    }

    /// Past the `open` bracket at the cursor, and its `close` too when nothing is between them (true); nil, with
    /// nothing read, when the value at the cursor opens otherwise.
    private mutating func enter(_ open: UInt8, _ close: UInt8, depth: Int) throws(JSONParseError) -> Bool? {
        p.skipWhitespace()
        guard p.peek == open else { return nil }
        guard depth <= JSONParser.maxDepth else { throw p.error("nesting deeper than \(JSONParser.maxDepth) levels") }
        p.i += 1
        p.skipWhitespace()
        guard p.peek == close else { return false }
        p.i += 1
        return true
    }

    /// The value at the cursor, built whole.
    public mutating func value(depth: Int) throws(JSONParseError) -> JSON { try p.parseValue(depth: depth) }

    /// Past the value at the cursor, as a picking parse passes a member it does not build: objects, arrays and
    /// strings scanned (brackets balanced, strings closed), a scalar read (it is short, and a broken one is caught).
    public mutating func skip(depth: Int) throws(JSONParseError) {
        p.skipWhitespace()
        let c = p.peek
        if c == UInt8(ascii: "{") || c == UInt8(ascii: "[") || c == UInt8(ascii: "\"") {
            try p.skipValue(depth: depth)
        } else {
            _ = try p.parseValue(depth: depth)
        }
    }

    /// The value at the cursor read with `pick` (see `JSONParser.parse(_:range:pick:)`), at `depth`.
    public mutating func picked(_ pick: JSONPick, depth: Int) throws(JSONParseError) -> JSON { try p.parsePicked(pick, depth: depth) }

    /// `picked`, or for an object of at most `Cursor.repeatBytes` that is byte for byte the last one read under `tag`
    /// (a span's resource, its status: the same in every span of a document), that object's value, not read again.
    /// `pick` nil: the value built whole.
    public mutating func repeating(_ pick: JSONPick?, tag: Int, depth: Int) throws(JSONParseError) -> JSON {
        p.skipWhitespace()
        let slot = -2 - tag
        let key = pick ?? JSONReader.whole
        if p.peek == UInt8(ascii: "{"), let v = p.repeated(slot, key, depth: depth) { return v }
        let start = p.i
        let v: JSON
        if let pick { v = try p.parsePicked(pick, depth: depth) } else { v = try p.parseValue(depth: depth) }
        if p.raw[start] == UInt8(ascii: "{"), p.i - start <= Cursor.repeatBytes { p.remember(slot, key, depth: depth, start: start, v) }
        return v
    }

    /// The pick `repeating` files values built whole under.
    private static let whole = JSONPick()

    /// A mark for `object(from:)`: the members pushed after it make one object.
    public var objectMark: Int { p.keyStack.count }

    /// Adds a member to the object being made (see `objectMark`).
    public func push(_ key: consuming String, _ value: consuming JSON) {
        p.keyStack.push(key)
        p.valueStack.push(value)
    }

    /// The members pushed since `mark`, taken off as one object.
    public func object(from mark: Int) -> JSONObject {
        let n = p.keyStack.count - mark
        return JSONObject(keys: p.takeKeys(from: mark), values: p.takeValues(from: p.valueStack.count - n))
    }

    /// Drops the members pushed since `mark` (a read that failed).
    public func drop(to mark: Int) {
        let n = p.keyStack.count - mark
        p.dropStacks(keys: mark, values: p.valueStack.count - n)
    }
}

extension JSONParser {
    /// `body` with a reader over `range` of `data`, then only blanks may follow what it read. Errors count their
    /// offsets from the start of `data`.
    public static func read<R>(
        _ data: Data, range: Range<Int>, keys: JSONKeyTable, maxStringBytes: Int = .max, _ body: (inout JSONReader) throws(JSONParseError) -> R
    ) throws(JSONParseError) -> R {
        try withCursor(data, range: range, keys: keys, maxStringBytes: maxStringBytes) { p throws(JSONParseError) -> R in
            var r = JSONReader(p)
            let v = try body(&r)
            try r.p.expectEnd()
            return v
        }
    }

    /// The object at `range` with the elements of its array member `key` each read by `element` as they are met (one
    /// pass over the bytes; see `parseObject(_:range:picking:with:maxStringBytes:keys:)`, whose members, checks and
    /// messages these are). The array is left out of the object; nil `elements` when it has no such array (the last
    /// one counts when the key is given twice: `starting` is called as each such array begins). Nil when `range`
    /// holds no object. The reader's `offset` counts from `range`'s start.
    public static func parseObject<T>(
        _ data: Data, range: Range<Int>, reading key: String, maxStringBytes: Int = .max, keys: JSONKeyTable,
        starting: () -> Void = {}, element: (inout JSONReader) throws(JSONParseError) -> T
    ) throws(JSONParseError) -> (object: JSONObject, elements: [T]?)? {
        try withCursor(data, range: range, keys: keys, maxStringBytes: maxStringBytes) { p throws(JSONParseError) -> (JSONObject, [T]?)? in
            p.skipWhitespace()
            guard p.peek == UInt8(ascii: "{") else { return nil }
            var elements: [T]?
            let object = try p.parseMembers { k, p throws(JSONParseError) in
                guard k == key, p.peek == UInt8(ascii: "[") else { return try p.parseValue(depth: 1) }
                starting()
                var made: [T] = []
                var r = JSONReader(p)
                defer { p = r.p }
                _ = try r.elements(depth: 1) { r throws(JSONParseError) in made.append(try element(&r)) }
                elements = made
                return nil
            }
            try p.expectEnd()
            return (object, elements)
        }
    }
}
