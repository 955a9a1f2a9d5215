import FoundationEssentials
import TraceMindFormats

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
        if s.isPrintableASCII { return s.utf8.count }
        var w = 0
        for u in s.unicodeScalars { w += width(u) }
        return w
    }

    /// Blocks with no combining mark and no wide character, one column each (a test checks every scalar of them):
    /// the dashes, dots, `≥` and box lines of a table's cells are counted without looking up their properties.
    static let narrowBlocks: [ClosedRange<UInt32>] = [0x20...0x2FF, 0x2000...0x200C, 0x200E...0x20CF, 0x2100...0x2BFF]

    static func width(_ u: Unicode.Scalar) -> Int {
        let v = u.value
        if v < 0x20 { return 0 }
        if v < 0x300 || narrowBlocks.contains(where: { $0.contains(v) }) { return 1 }
        if u.properties.generalCategory == .nonspacingMark || u.properties.generalCategory == .enclosingMark || v == 0x200D
            || (0xFE00...0xFE0F).contains(v)
        {
            return 0
        }
        if (0x1100...0x115F).contains(v) || (0x2E80...0xA4CF).contains(v) || (0xAC00...0xD7A3).contains(v)
            || (0xF900...0xFAFF).contains(v) || (0xFF00...0xFF60).contains(v) || (0xFFE0...0xFFE6).contains(v)
            || (0x1F300...0x1F64F).contains(v) || (0x1F900...0x1F9FF).contains(v) || (0x20000...0x3FFFD).contains(v)
        {
            return 2
        }
        return 1
    }

    /// Cells as they are printed: one line, controls as inert pictures (dataset text is untrusted; a raw ESC in a
    /// task id must never reach the terminal). Every renderer goes through this, whoever built the rows.
    var safeRows: [[String]] { rows.map(TextTable.safe) }

    /// A row's cells as they are printed (see `safeRows`).
    static func safe(_ row: [String]) -> [String] { row.map { Format.oneLine($0, max: .max) } }

    /// The columns padded to their widest cell (each cell measured once), trailing spaces cut, written as bytes. A
    /// table of many rows is made safe, measured and written in parts on all cores (`parts`: how many; one for a
    /// small table), the parts' lines joined in order.
    public func aligned(parts: Int? = nil) -> String {
        let n = rows.count
        let parts = max(1, min(n, parts ?? (n < 512 ? 1 : Parallel.cores * 4)))
        // Each part's cells made safe and measured, and its widest cell of each column.
        let measured = Parallel.values(parts, serial: parts == 1) { k -> (cells: [[String]], widths: [[Int]], widest: [Int]) in
            var cells: [[String]] = [], ws: [[Int]] = []
            var widest = [Int](repeating: 0, count: headers.count)
            for r in rows[(k * n / parts)..<((k + 1) * n / parts)] {
                let safe = TextTable.safe(r)
                let w = safe.map(TextTable.width)
                for (i, x) in w.enumerated() where i < widest.count { widest[i] = max(widest[i], x) }
                cells.append(safe)
                ws.append(w)
            }
            return (cells, ws, widest)
        }
        var widths = headers.map(TextTable.width)
        for m in measured {
            for (i, x) in m.widest.enumerated() where i < widths.count { widths[i] = max(widths[i], x) }
        }
        let lineBytes = widths.reduce(0, +) + 2 * widths.count + 1
        var out: [UInt8] = []
        out.reserveCapacity(lineBytes * (n + 2))
        TextTable.line(headers, { TextTable.width(headers[$0]) }, widths, align, into: &out)
        TextTable.line(widths.map { String(repeating: "-", count: $0) }, { widths[$0] }, widths, align, into: &out)
        let texts = Parallel.values(parts, serial: parts == 1) { k -> [UInt8] in
            var part: [UInt8] = []
            part.reserveCapacity(lineBytes * measured[k].cells.count)
            for (r, w) in zip(measured[k].cells, measured[k].widths) { TextTable.line(r, { w[$0] }, widths, align, into: &part) }
            return part
        }
        for t in texts { out.append(contentsOf: t) }
        return String(decoding: out, as: UTF8.self)
    }

    /// One line of `aligned`: the cells padded to `widths`, two spaces between columns, trailing spaces cut.
    static func line(_ cells: [String], _ cellWidth: (Int) -> Int, _ widths: [Int], _ align: [Align], into out: inout [UInt8]) {
        let start = out.count
        // Runs of spaces and a cell's bytes appended whole (a cell's bytes read in place where the text holds them),
        // not byte by byte through the generic sequence paths: 150,000 cells for 10,000 runs.
        func spaces(_ n: Int) {
            guard n > 0 else { return }
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: n) { b in
                b.initialize(repeating: 0x20)
                out.append(contentsOf: UnsafeBufferPointer(b))
            }
        }
        for i in 0..<widths.count {
            if i > 0 { spaces(2) }
            let pad = i < cells.count ? max(0, widths[i] - cellWidth(i)) : widths[i]
            if align[i] == .right { spaces(pad) }
            if i < cells.count {
                if cells[i].utf8.withContiguousStorageIfAvailable({ out.append(contentsOf: $0) }) == nil { out.append(contentsOf: cells[i].utf8) }
            }
            if align[i] == .left { spaces(pad) }
        }
        while out.count > start, out[out.count - 1] == 0x20 { out.removeLast() }
        out.append(0x0A)
    }

    public func csv() -> String {
        func esc(_ s: String) -> String {
            if s.utf8.contains(where: { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }) {
                return "\"" + s.replacingEvery("\"", with: "\"\"") + "\""
            }
            return s
        }
        return ([headers] + safeRows).map { $0.map(esc).joined(separator: ",") }.joined(separator: "\n") + "\n"
    }

    public func markdown() -> String {
        func esc(_ s: String) -> String {
            guard s.utf8.contains(where: { $0 == 0x7C || $0 == 0x0A }) else { return s }
            return s.replacingEvery("|", with: "\\|").replacingEvery("\n", with: " ")
        }
        var out = "| " + headers.map(esc).joined(separator: " | ") + " |\n"
        out += "|" + align.map { $0 == .right ? " ---: |" : " --- |" }.joined() + "\n"
        for r in safeRows { out += "| " + r.map(esc).joined(separator: " | ") + " |\n" }
        return out
    }
}

extension String {
    /// Every byte printable ASCII (0x20–0x7E): read in place where the text holds its bytes (a native string), not
    /// through the generic walk of its UTF-8 view (a table of 10,000 runs asks it of every cell, twice).
    var isPrintableASCII: Bool {
        if let all = utf8.withContiguousStorageIfAvailable({ b -> Bool in
            for c in b where c < 0x20 || c >= 0x7F { return false }
            return true
        }) {
            return all
        }
        return utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F }
    }
}
