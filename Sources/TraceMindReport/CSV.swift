import FoundationEssentials
import TraceMindFormats
import TraceMindModel

/// CSV for scripts: the same records as the JSON output, flattened. Nested objects become dotted columns
/// (`tokens.prompt`), arrays indexed columns (`cost_usd.0`, `cost_usd.1`); numbers are raw, unknown is empty.
///
/// Text cells are made safe for both places a CSV goes: controls and bidi characters become inert pictures (tabs
/// and line breaks spaces, see `Inert`), and a text that a spreadsheet would run as a formula (starting with `=`,
/// `+`, `-`, `@`, a tab or a carriage return, or their full-width forms) is prefixed with `'` and quoted (OWASP's
/// rule for CSV injection). Numbers stay numbers: only JSON numbers are written bare.
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
        var out = columns.map { escape(text($0)) }.joined(separator: ",") + "\n"
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
                put(text(a.compactMap(\.stringValue).joined(separator: "; ")))
            } else {
                for (i, x) in a.enumerated() { flatten(x, prefix: prefix + "." + String(i), into: &row, order: &order, seen: &seen) }
            }
        case .null: put("")
        case .bool(let b): put(b ? "true" : "false")
        case .int(let i): put(String(i))
        case .double(let d): put(d.isFinite ? String(d) : "")
        case .string(let s): put(text(s))
        }
    }

    /// A text cell: one line, inert, and never a formula.
    static let formulaStarts: Set<Character> = ["=", "+", "-", "@", "\t", "\r", "\u{FF1D}", "\u{FF0B}", "\u{FF0D}", "\u{FF20}"]

    static func text(_ s: String) -> String {
        let line = Format.oneLine(s, max: 100_000)
        let formulaStarts = CSV.formulaStarts
        // What a spreadsheet sees first, after the spaces it skips (and the original's tab or CR, now a space).
        let first = s.first { $0 != " " } ?? " "
        if formulaStarts.contains(first) || (s.first.map { formulaStarts.contains($0) } ?? false) { return "'" + line }
        return line
    }

    static func escape(_ s: String) -> String {
        let u = s.utf8
        if u.contains(where: { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }) || u.first == 0x20 || u.first == 0x27 {
            return "\"" + s.replacingEvery("\"", with: "\"\"") + "\""
        }
        return s
    }
}
