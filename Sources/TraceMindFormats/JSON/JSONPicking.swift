import FoundationEssentials
import Glibc

/// Reading only part of a JSON value: the members a pick names (the lean first read of a span), the members of a
/// trace document before its spans (its id), and a document whose spans array is split from its layout on all cores.
/// The entry points share one loop over an object's members (`Cursor.parseMembers`).
extension JSONParser {
    /// Parses the value at `range` of `data`, building of an object only the members `pick` names (and of their
    /// object values, what their nested picks name): the lean first read of a span whose prompts and payloads are
    /// read again from the same bytes only when shown. The members skipped are checked structurally (brackets
    /// balanced, strings closed), not decoded.
    public static func parse(
        _ data: Data, range: Range<Int>, pick: JSONPick, keys: JSONKeyTable? = nil
    ) throws(JSONParseError) -> JSON {
        try withCursor(data, range: range, keys: keys) { p throws(JSONParseError) in
            let v = try p.parsePicked(pick, depth: 0)
            try p.expectEnd()
            return v
        }
    }

    /// The members of the object at `range` that come before its member `key` when that member's value is an array
    /// (`reached`: true; the array and what follows are not read), else the whole object (`reached`: false). Nil when
    /// `range` holds no object. For a trace document's id, written before its hundreds of thousands of spans.
    public static func parseHead(
        _ data: Data, range: Range<Int>, before key: String, maxStringBytes: Int = .max
    ) throws(JSONParseError) -> (head: JSONObject, reached: Bool)? {
        try withCursor(data, range: range, maxStringBytes: maxStringBytes) { p throws(JSONParseError) -> (JSONObject, Bool)? in
            p.skipWhitespace()
            guard p.peek == UInt8(ascii: "{") else { return nil }
            var reached = false
            let head = try p.parseMembers({ k, p throws(JSONParseError) in
                if k == key, p.peek == UInt8(ascii: "[") {
                    reached = true
                    return nil
                }
                return try p.parseValue(depth: 1)
            }, endingAt: { reached })
            return (head, reached)
        }
    }

    /// The object at `range` with its array member `key` left out, and the byte ranges of that array's elements
    /// guessed from the layout (one element per indented block, as `json.dump(…, indent=N)` writes) on all cores:
    /// the members are parsed, the array is not scanned. Nil when the object has no such array or is not laid out
    /// so. A wrong guess leaves some range that is not one whole value: a caller parses every range and falls back
    /// to `parseObject(_:range:deferring:)` on any failure (see `indentedElementRanges`).
    public static func parseObject(
        _ data: Data, range: Range<Int>, layingOut key: String, maxStringBytes: Int = .max
    ) throws(JSONParseError) -> (object: JSONObject, elements: [Range<Int>])? {
        try withCursor(data, range: range, maxStringBytes: maxStringBytes) { p throws(JSONParseError) -> (JSONObject, [Range<Int>])? in
            p.skipWhitespace()
            guard p.peek == UInt8(ascii: "{") else { return nil }
            var elements: [Range<Int>]?
            var misled = false
            let object = try p.parseMembers({ k, p throws(JSONParseError) in
                guard k == key, elements == nil, p.peek == UInt8(ascii: "[") else { return try p.parseValue(depth: 1) }
                guard let (found, close) = indentedArray(p.raw, open: p.i) else {
                    // Not laid out so: stop here, the array unread (the caller scans it).
                    misled = true
                    return nil
                }
                elements = found.map { ($0.lowerBound + range.lowerBound)..<($0.upperBound + range.lowerBound) }
                p.i = close + 1
                return nil
            }, endingAt: { misled })
            guard !misled else { return nil }
            try p.expectEnd()
            guard let elements else { return nil }
            return (object, elements)
        }
    }

    /// The object at `range` with the elements of its array member `key` read with `pick` as they are met, each with
    /// its byte range in `data`: one pass over the bytes (a trace document of a few hundred spans, whose spans were
    /// otherwise scanned for their ranges and then read again). The array is left out of the object; nil `elements`
    /// when it has no such array (the last one counts when the key is given twice, as Python's `json` keeps it). Nil
    /// when `range` holds no object. `keys` is the calling worker's table. (A trace document's spans are read with
    /// `parseObject(_:range:reading:…)`, straight into spans; this is what that read is tested against.)
    public static func parseObject(
        _ data: Data, range: Range<Int>, picking key: String, with pick: JSONPick, maxStringBytes: Int = .max, keys: JSONKeyTable
    ) throws(JSONParseError) -> (object: JSONObject, elements: [(value: JSON, range: Range<Int>)]?)? {
        try withCursor(data, range: range, keys: keys, maxStringBytes: maxStringBytes) { p throws(JSONParseError) -> (JSONObject, [(value: JSON, range: Range<Int>)]?)? in
            p.skipWhitespace()
            guard p.peek == UInt8(ascii: "{") else { return nil }
            var elements: [(value: JSON, range: Range<Int>)]?
            let object = try p.parseMembers { k, p throws(JSONParseError) in
                guard k == key, p.peek == UInt8(ascii: "[") else { return try p.parseValue(depth: 1) }
                // The array's own loop (`parseElements`), each element's range noted as it is read.
                var ranges: [Range<Int>] = []
                let values = try p.parseElements(depth: 1) { p throws(JSONParseError) in
                    p.skipWhitespace()
                    let start = p.i
                    let v = try p.parsePicked(pick, depth: 2)
                    ranges.append((start + range.lowerBound)..<(p.i + range.lowerBound))
                    return v
                }
                elements = zip(values.arrayValue ?? [], ranges).map { ($0, $1) }
                return nil
            }
            try p.expectEnd()
            return (object, elements)
        }
    }

    /// Whether a text a search reads in the span object `raw` passes `test`: the direct values of its `attributes`
    /// object, and of each element of its `events` the `name` ("event" when it has none) and the direct values of its
    /// `attributes`. A value is tested as text: a string by its bytes (decoded only when it has an escape), a number or
    /// boolean as `JSON.text` writes it; `"None"`, null, objects and arrays are no text. Nil when it cannot say
    /// without building the values (attributes in OTLP's key/value array form, a member given twice).
    public static func anyText(_ raw: UnsafeRawBufferPointer, _ test: (UnsafeRawBufferPointer) -> Bool) throws(JSONParseError) -> Bool? {
        var p = Cursor(raw)
        p.skipWhitespace()
        guard p.peek == UInt8(ascii: "{") else { return nil }
        var hit = false, undecided = false
        var seen: Set<String> = []
        _ = try p.parseMembers({ k, p throws(JSONParseError) in
            guard k == "attributes" || k == "events" else {
                try p.skipValue(depth: 1)
                return nil
            }
            if !seen.insert(k).inserted { undecided = true }
            let found = k == "attributes" ? try p.anyMemberText(test) : try p.anyEventText(test)
            if let found { hit = hit || found } else { undecided = true }
            return nil
        }, endingAt: { hit || undecided })
        return undecided ? nil : hit
    }

    /// The elements of the array opening at `open` of `raw` laid out one per indented block, and the offset of its
    /// closing bracket: the first line after the last element's is the one, near the end, that holds only `]` at
    /// less than the elements' indentation (the members after the array are few and short).
    static func indentedArray(_ raw: UnsafeRawBufferPointer, open: Int) -> (elements: [Range<Int>], close: Int)? {
        let n = raw.count
        var i = open + 1
        var lastLineBreak = -1
        while i < n, isBlank(raw[i]) {
            if raw[i] == 0x0A { lastLineBreak = i }
            i += 1
        }
        guard i < n else { return nil }
        if raw[i] == UInt8(ascii: "]") { return ([], i) }
        guard lastLineBreak >= 0 else { return nil }
        let first = i
        let indent = Array(raw[(lastLineBreak + 1)..<first])
        guard !indent.isEmpty, indent.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) else { return nil }
        // From the end backwards, line by line, at most a few hundred lines: a line of blanks shorter than the
        // elements' indentation, then `]`.
        var lineEnd = n
        var close: Int?
        for _ in 0..<256 {
            guard lineEnd > first, let nl = raw[first..<lineEnd].lastIndex(of: 0x0A) else { break }
            var k = nl + 1
            while k < lineEnd, raw[k] == 0x20 || raw[k] == 0x09 { k += 1 }
            if k < lineEnd, raw[k] == UInt8(ascii: "]"), k - (nl + 1) < indent.count { close = k }
            lineEnd = nl
        }
        guard let close, close > first else { return nil }
        return (indentedBoundaries(raw, first: first, indent: indent, close: close), close)
    }
}

extension Cursor {
    /// Only blanks are left.
    mutating func expectEnd() throws(JSONParseError) {
        skipWhitespace()
        if i < end { throw error("unexpected data after the JSON value") }
    }

    /// The members of the object at the cursor, each read by `member` with the cursor at its value: the value, or nil
    /// to leave the member out once the cursor is past its value. `endingAt` ends the reading early (after a member
    /// left out, the cursor where `member` left it).
    mutating func parseMembers(
        _ member: (String, inout Cursor) throws(JSONParseError) -> JSON?, endingAt ended: () -> Bool = { false }
    ) throws(JSONParseError) -> JSONObject {
        i += 1
        skipWhitespace()
        if peek == UInt8(ascii: "}") {
            i += 1
            return JSONObject()
        }
        // The members go on the cursor's stacks, and are taken off them into the object's arrays at the end.
        let keyBase = keyStack.count, valueBase = valueStack.count
        do throws(JSONParseError) {
            while true {
                skipWhitespace()
                guard i < end else { throw error("unexpected end of data inside an object (truncated file?)") }
                guard raw[i] == UInt8(ascii: "\"") else { throw error("expected a string key") }
                let k = try parseString(intern: true)
                skipWhitespace()
                guard peek == UInt8(ascii: ":") else {
                    throw i < end ? error("expected ':' after a key") : error("unexpected end of data (truncated file?)")
                }
                i += 1
                skipWhitespace()
                if let v = try member(k, &self) {
                    keyStack.push(k)
                    valueStack.push(v)
                } else if ended() {
                    break
                }
                guard try nextAfterItem(closing: UInt8(ascii: "}")) else { break }
            }
        } catch {
            dropStacks(keys: keyBase, values: valueBase)
            throw error
        }
        return JSONObject(keys: takeKeys(from: keyBase), values: takeValues(from: valueBase))
    }

    /// The value at the cursor; of an object, only the members `pick` builds (see `JSONParser.parse(_:range:pick:)`).
    mutating func parsePicked(_ pick: JSONPick, depth: Int) throws(JSONParseError) -> JSON {
        skipWhitespace()
        if peek == UInt8(ascii: "["), let elements = pick.elements { return try parsePickedArray(elements, depth: depth + 1) }
        guard peek == UInt8(ascii: "{") else { return try parseValue(depth: depth) }
        guard depth + 1 <= JSONParser.maxDepth else { throw error("nesting deeper than \(JSONParser.maxDepth) levels") }
        return .object(try parseMembers { k, p throws(JSONParseError) in
            // `builds` reads the answer kept for the key just interned.
            guard p.keys.builds(k, pick) else {
                // Containers and strings are scanned; a scalar is read (it is short), so a broken one is caught.
                let c = p.peek
                if c == UInt8(ascii: "{") || c == UInt8(ascii: "[") || c == UInt8(ascii: "\"") {
                    try p.skipValue(depth: depth + 1)
                } else {
                    _ = try p.parseValue(depth: depth + 1)
                }
                return nil
            }
            let slot = p.keys.lastSlot
            if p.peek == UInt8(ascii: "{"), let v = p.repeated(slot, pick, depth: depth + 1) { return v }
            let start = p.i
            let v: JSON
            if let nested = pick.nestedPick(k) { v = try p.parsePicked(nested, depth: depth + 1) } else { v = try p.parseValue(depth: depth + 1) }
            if p.raw[start] == UInt8(ascii: "{"), p.i - start <= Cursor.repeatBytes { p.remember(slot, pick, depth: depth + 1, start: start, v) }
            return v
        })
    }

    /// Objects of at most this many bytes are remembered to be met again (`repeats`): a larger one (a span's
    /// attributes, with its prompts) is seldom the same twice, and comparing it would cost a scan of it.
    static let repeatBytes = 512

    /// The value of the object at the cursor when its bytes are those of the last one read for the key at `slot` with
    /// `pick` at this depth (the cursor then past them); else nil. An object ends where its bytes say: bytes that
    /// begin with the whole text of an object read before are that object, read the same way.
    mutating func repeated(_ slot: Int, _ pick: JSONPick, depth: Int) -> JSON? {
        let id = ObjectIdentifier(pick)
        guard let e = repeats.lastIndex(where: { $0.slot == slot && $0.pick == id && $0.depth == depth }) else { return nil }
        let n = repeats[e].count
        guard end - i >= n, memcmp(raw.baseAddress! + i, raw.baseAddress! + repeats[e].start, n) == 0 else { return nil }
        i += n
        return repeats[e].value
    }

    /// Notes the object read at `start` up to the cursor for the key at `slot` with `pick` at `depth`.
    mutating func remember(_ slot: Int, _ pick: JSONPick, depth: Int, start: Int, _ value: JSON) {
        let id = ObjectIdentifier(pick)
        if let e = repeats.lastIndex(where: { $0.slot == slot && $0.pick == id && $0.depth == depth }) {
            repeats[e] = (slot, id, depth, start, i - start, value)
        } else if repeats.count < 16 {
            repeats.append((slot, id, depth, start, i - start, value))
        }
    }

    /// Past the value at the cursor: whether a direct member of it (an object) is text passing `test`; false for a
    /// value that is no object, nil for an array (OTLP's key/value form: its texts are not its direct values).
    mutating func anyMemberText(_ test: (UnsafeRawBufferPointer) -> Bool) throws(JSONParseError) -> Bool? {
        skipWhitespace()
        if peek == UInt8(ascii: "[") {
            try skipValue(depth: 1)
            return nil
        }
        guard peek == UInt8(ascii: "{") else {
            try skipValue(depth: 1)
            return false
        }
        var hit = false
        _ = try parseMembers { _, p throws(JSONParseError) in
            if try p.textValue(test) { hit = true }
            return nil
        }
        return hit
    }

    /// Past the `events` value at the cursor: whether an event's name or a direct value of its attributes passes
    /// `test`; nil when an event's attributes are in OTLP's array form or an event gives a member twice.
    mutating func anyEventText(_ test: (UnsafeRawBufferPointer) -> Bool) throws(JSONParseError) -> Bool? {
        skipWhitespace()
        guard peek == UInt8(ascii: "[") else {
            try skipValue(depth: 1)
            return false
        }
        var hit = false, undecided = false
        _ = try parseElements(depth: 2) { p throws(JSONParseError) in
            p.skipWhitespace()
            guard p.peek == UInt8(ascii: "{") else {
                try p.skipValue(depth: 2)
                return .null
            }
            var name: String?
            var seen: Set<String> = []
            _ = try p.parseMembers { k, p throws(JSONParseError) in
                guard k == "name" || k == "attributes" else {
                    try p.skipValue(depth: 3)
                    return nil
                }
                if !seen.insert(k).inserted { undecided = true }
                if k == "name" {
                    name = try p.parseValue(depth: 3).text
                } else if let found = try p.anyMemberText(test) {
                    hit = hit || found
                } else {
                    undecided = true
                }
                return nil
            }
            var n = name ?? "event"
            if n.withUTF8({ test(UnsafeRawBufferPointer($0)) }) { hit = true }
            return .null
        }
        return undecided ? nil : hit
    }

    /// Past the value at the cursor: whether it is text (see `JSONParser.anyText`) passing `test`.
    mutating func textValue(_ test: (UnsafeRawBufferPointer) -> Bool) throws(JSONParseError) -> Bool {
        skipWhitespace()
        let c = peek
        if c == UInt8(ascii: "\"") {
            let open = i
            try skipString()
            let body = UnsafeRawBufferPointer(rebasing: raw[(open + 1)..<(i - 1)])
            if !body.contains(0x5C) {
                return !body.elementsEqual("None".utf8) && test(body)
            }
            i = open
            var t = try parseString(intern: false)
            return t != "None" && t.withUTF8 { test(UnsafeRawBufferPointer($0)) }
        }
        if c == UInt8(ascii: "{") || c == UInt8(ascii: "[") {
            try skipValue(depth: 2)
            return false
        }
        guard var t = try parseValue(depth: 2).text else { return false }
        return t.withUTF8 { test(UnsafeRawBufferPointer($0)) }
    }

    /// An array whose object elements are built with `pick`.
    mutating func parsePickedArray(_ pick: JSONPick, depth: Int) throws(JSONParseError) -> JSON {
        try parseElements(depth: depth) { p throws(JSONParseError) in try p.parsePicked(pick, depth: depth) }
    }
}
