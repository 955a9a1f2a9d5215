import FoundationEssentials

/// A JSON value as SMOLTRACE writes it (Python's `json.dump`): integers are kept exact as `Int64`
/// (span times are nanoseconds above 2^53), `NaN`/`Infinity` are accepted, object key order is kept.
public enum JSON: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSON])
    case object(JSONObject)

    public static func == (a: JSON, b: JSON) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.int(let x), .int(let y)): return x == y
        case (.double(let x), .double(let y)): return x == y || (x.isNaN && y.isNaN)
        case (.string(let x), .string(let y)): return x == y
        case (.array(let x), .array(let y)): return x == y
        case (.object(let x), .object(let y)): return x == y
        default: return false
        }
    }

    public subscript(key: String) -> JSON? {
        if case .object(let o) = self { return o[key] }
        return nil
    }

    public var isNull: Bool { if case .null = self { return true } else { return false } }
    public var objectValue: JSONObject? { if case .object(let o) = self { return o } else { return nil } }
    public var arrayValue: [JSON]? { if case .array(let a) = self { return a } else { return nil } }

    /// Exact string only (no coercion).
    public var stringValue: String? { if case .string(let s) = self { return s } else { return nil } }
}

/// An ordered JSON object. Lookups are linear for small objects and hashed for large ones.
public struct JSONObject: Sendable, Equatable {
    public private(set) var keys: [String]
    public private(set) var values: [JSON]
    private var index: [String: Int]?

    public init() { keys = []; values = []; index = nil }

    public init(keys: [String], values: [JSON]) {
        self.keys = keys
        self.values = values
        self.index = nil
        if keys.count > JSONObject.indexFrom { buildIndex() }
    }

    /// Objects of more keys than this get a hash index when parsed; smaller ones are searched (keys of another length
    /// passed without a comparison). A result row's 26 members, read once each, cost more to index than to search.
    static let indexFrom = 32

    public init(_ pairs: [(String, JSON)]) {
        self.init(keys: pairs.map { $0.0 }, values: pairs.map { $0.1 })
    }

    /// An object built to be written, not looked up (a report record): no index, whatever its size.
    public init(writing pairs: [(String, JSON)]) {
        keys = pairs.map { $0.0 }
        values = pairs.map { $0.1 }
        index = nil
    }

    private mutating func buildIndex() {
        var d = [String: Int](minimumCapacity: keys.count)
        // Python's json keeps the last duplicate; so do we.
        for (i, k) in keys.enumerated() { d[k] = i }
        index = d
    }

    public var count: Int { keys.count }
    public var isEmpty: Bool { keys.isEmpty }

    public subscript(key: String) -> JSON? {
        if let index { return index[key].map { values[$0] } }
        // The last of duplicates, as Python's json keeps.
        var i = keys.count
        if i > 2, TextEquality.lengthDecides(key) {
            // A key of another length is not this one: passed without a comparison of texts (most of a search's cost).
            let n = key.utf8.count
            while i > 0 {
                i -= 1
                if keys[i].utf8.count == n, keys[i] == key { return values[i] }
            }
            return nil
        }
        while i > 0 {
            i -= 1
            if keys[i] == key { return values[i] }
        }
        return nil
    }

    public var pairs: [(key: String, value: JSON)] {
        (0..<keys.count).map { (keys[$0], values[$0]) }
    }

    public mutating func set(_ key: String, _ value: JSON) {
        if let i = (index?[key]) ?? keys.firstIndex(of: key) {
            values[i] = value
        } else {
            keys.append(key)
            values.append(value)
            if index != nil { index![key] = keys.count - 1 } else if keys.count > JSONObject.indexFrom { buildIndex() }
        }
    }

    public static func == (a: JSONObject, b: JSONObject) -> Bool { a.keys == b.keys && a.values == b.values }
}

// MARK: - Loose coercion (SMOLTRACE stores numbers and booleans as strings in old eras)

/// Surrounding whitespace removed, without Foundation (this runs for every numeric-looking string).
@inline(__always)
public func trimmedASCII(_ s: String) -> Substring {
    func ws(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D }
    let u = s.utf8
    var a = u.startIndex, b = u.endIndex
    while a < b && ws(u[a]) { a = u.index(after: a) }
    while b > a && ws(u[u.index(before: b)]) { b = u.index(before: b) }
    return s[a..<b]
}

/// Could the string be a number at all (a digit, sign, dot or space first)? Skips parsing words like "OK".
@inline(__always)
func mayBeNumber(_ s: String) -> Bool {
    guard let f = s.utf8.first else { return false }
    return (f >= 0x30 && f <= 0x39) || f == 0x2D || f == 0x2B || f == 0x2E || f == 0x20 || f == 0x09 || f == 0x4E || f == 0x49
}

extension JSON {
    /// A number from an int, a double, or a numeric string (`"1494"`, `"0.000123"`). Booleans are not numbers.
    public var number: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .double(let d): return d.isFinite ? d : nil
        case .string(let s):
            guard mayBeNumber(s) else { return nil }
            let t = trimmedASCII(s)
            guard !t.isEmpty, let d = Double(t), d.isFinite else { return nil }
            return d
        default: return nil
        }
    }

    /// An integer from an int, an integral double, or a numeric string. Exact for large `Int64` values.
    public var int64: Int64? {
        switch self {
        case .int(let i): return i
        case .double(let d):
            guard d.isFinite, d.rounded() == d, abs(d) < 9.2e18 else { return nil }
            return Int64(d)
        case .string(let s):
            guard mayBeNumber(s) else { return nil }
            let t = trimmedASCII(s)
            if let i = Int64(t) { return i }
            if let d = Double(t), d.isFinite, d.rounded() == d, abs(d) < 9.2e18 { return Int64(d) }
            return nil
        default: return nil
        }
    }

    public var int: Int? { int64.map { Int(truncatingIfNeeded: $0) } }

    /// `true`/`false`, `"True"`/`"False"`/`"true"`, and 0/1.
    public var bool: Bool? {
        switch self {
        case .bool(let b): return b
        case .int(let i): return i == 0 ? false : (i == 1 ? true : nil)
        case .string(let s):
            switch s.lowercased() {
            case "true", "1", "yes": return true
            case "false", "0", "no": return false
            default: return nil
            }
        default: return nil
        }
    }

    /// A string for display or ids; numbers are rendered, `null` and the Python `"None"` are nil.
    public var text: String? {
        switch self {
        // The length first: no other text equals "None" (none of its letters has another form that is canonically
        // the same), and a comparison of texts costs as much as the rest of this.
        case .string(let s): return s.utf8.count == 4 && s == "None" ? nil : s
        case .int(let i): return String(i)
        case .double(let d): return JSON.formatDouble(d)
        case .bool(let b): return b ? "true" : "false"
        default: return nil
        }
    }

    static func formatDouble(_ d: Double) -> String {
        if d.isNaN { return "NaN" }
        if d.isInfinite { return d > 0 ? "Infinity" : "-Infinity" }
        if d.rounded() == d && abs(d) < 1e15 { return NumberText.fixed(d, 1) }
        return "\(d)"
    }
}

/// Texts compared as Swift compares them (canonically: "\u{212A}" == "K"), with their lengths first where that is exact.
enum TextEquality {
    /// Whether no text of another UTF-8 length can equal `key`: `key` is ASCII and has none of `K`, `;` and `` ` ``,
    /// the only ASCII characters another character is canonically the same as (U+212A KELVIN SIGN, U+037E GREEK
    /// QUESTION MARK, U+1FEF GREEK VARIA, in Unicode 15; an encoded character's decomposition never changes). A text
    /// equal to such a key has its very bytes.
    static func lengthDecides(_ key: String) -> Bool {
        // Over the bytes where they lie (`utf8.allSatisfy` went through the view's generic iteration: more than the
        // comparisons it saves).
        var key = key
        return key.withUTF8 { b in
            for c in b where c >= 0x80 || c == 0x4B || c == 0x3B || c == 0x60 { return false }
            return true
        }
    }
}
