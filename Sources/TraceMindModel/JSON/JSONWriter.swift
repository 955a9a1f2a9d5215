import Foundation

/// Serialises `JSON` deterministically (key order kept). Used by the report CLI and the generator.
public enum JSONWriter {
    public static func string(_ value: JSON, pretty: Bool = true, indentStep: Int = 2) -> String {
        var out = ""
        out.reserveCapacity(1024)
        write(value, into: &out, pretty: pretty, indent: 0, step: indentStep)
        return out
    }

    public static func data(_ value: JSON, pretty: Bool = true) -> Data {
        Data(string(value, pretty: pretty).utf8)
    }

    static func write(_ v: JSON, into out: inout String, pretty: Bool, indent: Int, step: Int) {
        switch v {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .double(let d): out += formatNumber(d)
        case .string(let s): writeString(s, into: &out)
        case .array(let a):
            if a.isEmpty { out += "[]"; return }
            out += "["
            for (n, e) in a.enumerated() {
                if n > 0 { out += "," }
                if pretty { out += "\n" + String(repeating: " ", count: indent + step) }
                write(e, into: &out, pretty: pretty, indent: indent + step, step: step)
            }
            if pretty { out += "\n" + String(repeating: " ", count: indent) }
            out += "]"
        case .object(let o):
            if o.isEmpty { out += "{}"; return }
            out += "{"
            for n in 0..<o.count {
                if n > 0 { out += "," }
                if pretty { out += "\n" + String(repeating: " ", count: indent + step) }
                writeString(o.keys[n], into: &out)
                out += pretty ? ": " : ":"
                write(o.values[n], into: &out, pretty: pretty, indent: indent + step, step: step)
            }
            if pretty { out += "\n" + String(repeating: " ", count: indent) }
            out += "}"
        }
    }

    /// Numbers as Python writes them: NaN/Infinity literals, shortest round-trip doubles.
    public static func formatNumber(_ d: Double) -> String {
        if d.isNaN { return "NaN" }
        if d.isInfinite { return d > 0 ? "Infinity" : "-Infinity" }
        if d == d.rounded(), abs(d) < 1e16 { return String(format: "%.1f", d) }
        return "\(d)"
    }

    public static func writeString(_ s: String, into out: inout String) {
        out += "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 || u.value == 0x7F {
                    out += String(format: "\\u%04x", u.value)
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        out += "\""
    }
}

extension JSON: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByNilLiteral, ExpressibleByArrayLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(nilLiteral: ()) { self = .null }
    public init(arrayLiteral elements: JSON...) { self = .array(elements) }
}

extension JSON {
    public static func from(_ s: String?) -> JSON { s.map { .string($0) } ?? .null }
    public static func from(_ d: Double?) -> JSON { d.map { .double($0) } ?? .null }
    public static func from(_ i: Int?) -> JSON { i.map { .int(Int64($0)) } ?? .null }
    public static func from(_ b: Bool?) -> JSON { b.map { .bool($0) } ?? .null }
    public static func obj(_ pairs: [(String, JSON)]) -> JSON { .object(JSONObject(pairs)) }
}
