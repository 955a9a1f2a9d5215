import Foundation

public enum OutputFormat: String, Sendable, CaseIterable {
    case table, json, csv, markdown, text
    /// A standalone SVG picture: `trends`, `analytics` and `card` only.
    case svg
}

/// A plain table rendered as aligned text, CSV (RFC 4180) or Markdown.
public struct TextTable: Sendable {
    public enum Align: Sendable { case left, right }
    public var headers: [String]
    public var align: [Align]
    public var rows: [[String]]

    public init(headers: [String], align: [Align]? = nil, rows: [[String]] = []) {
        self.headers = headers
        self.align = align ?? headers.map { _ in .left }
        self.rows = rows
    }

    public func render(_ format: OutputFormat) -> String {
        switch format {
        case .csv: return csv()
        case .markdown: return markdown()
        default: return aligned()
        }
    }

    /// Display width of text in a terminal (East Asian wide characters count 2).
    static func width(_ s: String) -> Int {
        if s.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return s.utf8.count }
        var w = 0
        for u in s.unicodeScalars {
            let v = u.value
            if v < 0x20 { continue }
            if u.properties.generalCategory == .nonspacingMark || u.properties.generalCategory == .enclosingMark || v == 0x200D
                || (0xFE00...0xFE0F).contains(v)
            {
                continue
            }
            if (0x1100...0x115F).contains(v) || (0x2E80...0xA4CF).contains(v) || (0xAC00...0xD7A3).contains(v)
                || (0xF900...0xFAFF).contains(v) || (0xFF00...0xFF60).contains(v) || (0xFFE0...0xFFE6).contains(v)
                || (0x1F300...0x1F64F).contains(v) || (0x1F900...0x1F9FF).contains(v) || (0x20000...0x3FFFD).contains(v)
            {
                w += 2
            } else {
                w += 1
            }
        }
        return w
    }

    /// Cells as they are printed: one line, controls as inert pictures (dataset text is untrusted; a raw ESC in a
    /// task id must never reach the terminal). Every renderer goes through this, whoever built the rows.
    var safeRows: [[String]] { rows.map { $0.map { Format.oneLine($0, max: .max) } } }

    public func aligned() -> String {
        let rows = safeRows
        var widths = headers.map(TextTable.width)
        for r in rows {
            for (i, c) in r.enumerated() where i < widths.count { widths[i] = max(widths[i], TextTable.width(c)) }
        }
        func line(_ cells: [String]) -> String {
            var s = ""
            for i in 0..<headers.count {
                if i > 0 { s += "  " }
                let c = i < cells.count ? cells[i] : ""
                let pad = max(0, widths[i] - TextTable.width(c))
                if align[i] == .right {
                    s += String(repeating: " ", count: pad) + c
                } else {
                    s += c
                    if pad > 0 { s += String(repeating: " ", count: pad) }
                }
            }
            let kept = s.utf8.reversed().drop { $0 == 0x20 }.count
            return kept == s.utf8.count ? s : String(s.utf8.prefix(kept))!
        }
        var out = [line(headers), line(widths.map { String(repeating: "-", count: $0) })]
        out += rows.map(line)
        return out.joined(separator: "\n") + "\n"
    }

    public func csv() -> String {
        func esc(_ s: String) -> String {
            if s.utf8.contains(where: { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }) {
                return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
            }
            return s
        }
        return ([headers] + safeRows).map { $0.map(esc).joined(separator: ",") }.joined(separator: "\n") + "\n"
    }

    public func markdown() -> String {
        func esc(_ s: String) -> String {
            guard s.utf8.contains(where: { $0 == 0x7C || $0 == 0x0A }) else { return s }
            return s.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
        }
        var out = "| " + headers.map(esc).joined(separator: " | ") + " |\n"
        out += "|" + align.map { $0 == .right ? " ---: |" : " --- |" }.joined() + "\n"
        for r in safeRows { out += "| " + r.map(esc).joined(separator: " | ") + " |\n" }
        return out
    }
}
