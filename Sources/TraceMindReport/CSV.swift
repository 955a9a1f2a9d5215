import Foundation
import TraceMindModel

/// CSV for scripts: the same records as the JSON output, flattened. Nested objects become dotted columns
/// (`tokens.prompt`), arrays indexed columns (`cost_usd.0`, `cost_usd.1`); numbers are raw, unknown is empty.
public enum CSV {
    public static func from(_ records: [JSON]) -> String {
        var columns: [String] = []
        var seen = Set<String>()
        var rows: [[String: String]] = []
        for r in records {
            var row: [String: String] = [:]
            flatten(r, prefix: "", into: &row, order: &columns, seen: &seen)
            rows.append(row)
        }
        var out = columns.map(escape).joined(separator: ",") + "\n"
        for r in rows { out += columns.map { escape(r[$0] ?? "") }.joined(separator: ",") + "\n" }
        return out
    }

    static func flatten(_ v: JSON, prefix: String, into row: inout [String: String], order: inout [String], seen: inout Set<String>) {
        func put(_ value: String) {
            let key = prefix.isEmpty ? "value" : prefix
            if seen.insert(key).inserted { order.append(key) }
            row[key] = value
        }
        switch v {
        case .object(let o):
            for (k, x) in o.pairs { flatten(x, prefix: prefix.isEmpty ? k : prefix + "." + k, into: &row, order: &order, seen: &seen) }
        case .array(let a):
            // Arrays of scalars that are lists (tools, errors) read better as one cell.
            if a.allSatisfy({ if case .string = $0 { return true } else { return false } }) && !prefix.hasSuffix("_id") {
                put(a.compactMap(\.stringValue).joined(separator: "; "))
            } else {
                for (i, x) in a.enumerated() { flatten(x, prefix: prefix + "." + String(i), into: &row, order: &order, seen: &seen) }
            }
        case .null: put("")
        case .bool(let b): put(b ? "true" : "false")
        case .int(let i): put(String(i))
        case .double(let d): put(d.isFinite ? String(d) : "")
        case .string(let s): put(Format.oneLine(s, max: 100_000))
        }
    }

    static func escape(_ s: String) -> String {
        if s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) || s.hasPrefix(" ") {
            return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return s
    }
}
