import Foundation
import TerminalUI
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
        var b = Buffer(width: w, height: 3 + 1 + rows)
        let header = Rect(x: 0, y: 0, width: w, height: 3)
        TraceScreen.header(&b, header, test, wf, r)
        let layout = TraceScreen.Layout(
            header: header, axis: Rect(x: 0, y: 3, width: w, height: 1), rows: Rect(x: 0, y: 4, width: w, height: rows),
            detail: Rect(x: 0, y: 0, width: 0, height: 0))
        TraceScreen.waterfall(&b, layout, v, wf, r)
        let lines = b.plainText.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            var l = String(line)
            while l.hasSuffix(" ") { l.removeLast() }
            return l
        }
        var out = lines.joined(separator: "\n") + "\n"
        let legend = "● on the latency critical path · $ on the cost critical path · roll-up: the span repeats its descendants' usage (not counted again)"
        out += "\n" + wrapText(legend, width: max(20, width)).joined(separator: "\n") + "\n"
        return out
    }
}
