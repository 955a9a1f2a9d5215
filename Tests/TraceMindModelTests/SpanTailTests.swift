import Foundation
import TestSupport
import Testing
import TraceMindDemo
import TraceMindFormats
@testable import TraceMindModel

/// Live watch's tail: a growing OTLP/JSON Lines file is read from where it ended — only the new complete lines —
/// and gives the traces a whole read gives; a rewritten file is read whole.
@Suite(.serialized) struct SpanTailTests {
    func summaries(_ path: String) -> [String: (spans: Int, tokens: Int)] {
        let entry = CatalogLoader.load(sources: [path]).runs[0]
        var out: [String: (Int, Int)] = [:]
        for t in RunLoader.load(entry).traces { out[t.traceID] = (t.spanCount, t.tokens.total) }
        return out
    }

    @Test func aGrowingFileIsTailedAndARewriteIsReadWhole() throws {
        let dir = tempDir()
        defer { removeTemp(dir) }
        let path = dir + "/collector.jsonl"
        let a = "0af7651916cd43dd8448eb211c80319c", b = "4bf92f3577b34da6a3ce929d0e0e4736"
        write(ForeignTraces.otlpLines(traceID: a), to: path)
        SpanTail.shared.enabled = true
        defer { SpanTail.shared.enabled = false }
        let first = summaries(path)
        #expect(first.keys.sorted() == [a] && SpanTail.shared.bytesTailed(path) == nil, "a whole read first")
        // The collector appends: a second trace, and half a line still being written.
        let more = ForeignTraces.otlpLines(traceID: b)
        let h = FileHandle(forWritingAtPath: path)!
        h.seekToEndOfFile()
        h.write(more)
        h.write(Data(#"{"resourceSpans": [{"scopeSp"#.utf8))
        try h.close()
        let second = summaries(path)
        #expect(SpanTail.shared.bytesTailed(path) == more.count, "only the new complete lines were read")
        SpanTail.shared.enabled = false
        let whole = summaries(path)
        SpanTail.shared.enabled = true
        #expect(second.keys.sorted() == [a, b].sorted())
        for k in whole.keys { #expect(second[k]?.spans == whole[k]?.spans && second[k]?.tokens == whole[k]?.tokens, "\(k)") }
        // The half line completed later: read then (also after a whole read that met it half written).
        _ = summaries(path)
        #expect(SpanTail.shared.bytesTailed(path) == nil, "read whole after the tail was dropped")
        let rest = Data(#"ans": []}]}"#.utf8) + Data("\n".utf8)
        let h2 = FileHandle(forWritingAtPath: path)!
        h2.seekToEndOfFile()
        h2.write(rest)
        try h2.close()
        _ = summaries(path)
        #expect(SpanTail.shared.bytesTailed(path) == #"{"resourceSpans": [{"scopeSp"#.utf8.count + rest.count)
        // Rewritten with other content of the same length: read whole, never appended to what was read.
        let c = "11111111111111111111111111111111"
        write(ForeignTraces.otlpLines(traceID: c), to: path + ".new")
        try FileManager.default.removeItem(atPath: path)
        try FileManager.default.moveItem(atPath: path + ".new", toPath: path)
        #expect(summaries(path).keys.sorted() == [c], "another file at the path: read whole")
    }
}
