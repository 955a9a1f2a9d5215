import FoundationEssentials
import TerminalUI
import TraceMindFormats
import TraceMindModel

/// The waterfall as plain text (`tracemind trace --format text`): drawn by the same code as the screen, every span
/// unfolded, then printed without styles.
public enum TraceText {
    public static func render(_ a: TraceAnalysis, test: TestRow?, width: Int = 120, unicode: Bool = true) -> String {
        let wf = Waterfall(a)
        let r = Renderer(theme: Theme(name: "plain", styles: [:]), symbols: unicode ? .unicode : .ascii)
        var v = TraceView(ref: TraceRef(runKey: "", traceID: a.trace.traceID), label: "")
        v.list.selected = -1
        v.focus = .detail
        v.rows = TraceScreen.visibleRows(v, wf)
        let rows = v.rows.count
        let w = max(60, width)
        // Drawn by the screen's code a slice of rows at a time (a buffer of every row of a 300,000-span trace would
        // hold tens of millions of cells at once), the slices on all cores, printed in order.
        let slice = 2048
        let starts = Array(stride(from: 0, to: max(rows, 1), by: slice))
        let texts = Parallel.values(starts.count, eachAlone: true) { k -> String in
            let start = starts[k]
            let n = min(slice, rows - start)
            let top = start == 0 ? 3 : 0
            var b = Buffer(width: w, height: top + 1 + n)
            let header = Rect(x: 0, y: 0, width: w, height: 3)
            if start == 0 { TraceScreen.header(&b, header, test, wf, r) }
            let layout = TraceScreen.Layout(
                header: header, axis: Rect(x: 0, y: top, width: w, height: 1), rows: Rect(x: 0, y: top + 1, width: w, height: n),
                detail: Rect(x: 0, y: 0, width: 0, height: 0))
            var view = v
            view.list.offset = start
            TraceScreen.waterfall(&b, layout, view, wf, r)
            var lines = b.trimmedLines
            // The column titles and axis once, above the first slice.
            if start > 0 { lines.remove(at: 0) }
            if lines.last == "" { lines.removeLast() }
            return lines.joined(separator: "\n") + "\n"
        }
        var out = texts.joined()
        let legend = "● on the latency critical path · $ on the cost critical path · roll-up: the span repeats its descendants' usage (not counted again)"
        out += "\n" + wrapText(legend, width: max(20, width)).joined(separator: "\n") + "\n"
        return out
    }
}
