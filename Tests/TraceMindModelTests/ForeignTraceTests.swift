import Foundation
import TestSupport
import Testing
import TraceMindDemo
import TraceMindFormats
@testable import TraceMindModel
import TraceMindReport

/// Traces of other OpenTelemetry-instrumented systems: OTLP/JSON lines and single trace documents as sources.
@Suite struct ForeignTraceTests {
    let other = "0af7651916cd43dd8448eb211c80319c"

    func fs(_ files: [String: Data]) -> MemoryFileSystem { MemoryFileSystem(files: files) }

    func fullTrace(_ catalog: Catalog, _ id: String) throws -> TraceAnalysis {
        let m = try TraceFinder.find(id, in: catalog)
        return TraceAnalysis(try RunLoader.loadTrace(m.summary, fs: m.run.files.fs))
    }

    func checkOrchestrator(_ a: TraceAnalysis) {
        #expect(a.trace.spans.count == 4)
        #expect(a.roots.count == 1 && a.trace.spans[a.roots[0]].name == "orchestrate_task")
        // Own costs add up along the tree ($0.00125), plus the one LLM call ($0.0004); the roll-up is not added.
        #expect(abs(a.cost.value! - 0.00165) < 1e-12)
        #expect(a.tokens.total == 1000 && a.tokens.prompt == 800 && a.tokens.completion == 200)
        #expect(abs(a.wallMs - 2500) < 1e-6)
        let services = Dictionary(uniqueKeysWithValues: Breakdown.of(a, by: .service).map { ($0.key, $0.cost.knownUSD) })
        #expect(abs(services["orchestrator"]! - 0.0001) < 1e-12)
        #expect(abs(services["queue_processor"]! - 0.00005) < 1e-12)
        #expect(abs(services["tool_executor"]! - 0.0015) < 1e-12)
    }

    @Test func otlpJSONLinesOpenAsTraces() throws {
        let catalog = CatalogLoader.load(sources: ["export.jsonl"], fs: fs(["export.jsonl": ForeignTraces.otlpLines()]))
        #expect(catalog.diagnostics.isEmpty, "\(catalog.diagnostics)")
        #expect(catalog.runs.count == 1)
        let a = try fullTrace(catalog, "4bf92f35")
        checkOrchestrator(a)
        let byName = Dictionary(uniqueKeysWithValues: a.trace.spans.map { ($0.name, $0) })
        // Kinds from OTLP's enum numbers, services from each resource, typed values decoded (int64 strings exact).
        #expect(byName["orchestrate_task"]!.otelKind == "SERVER")
        #expect(byName["process_queue_message"]!.otelKind == "CONSUMER")
        #expect(byName["chat gpt-4.1-mini"]!.otelKind == "CLIENT")
        #expect(byName["execute_code_generator"]!.resource["service.name"]?.text == "tool_executor")
        #expect(byName["chat gpt-4.1-mini"]!.attributes["gen_ai.request.max_tokens"] == .int(512))
        #expect(byName["chat gpt-4.1-mini"]!.attributes["gen_ai.response.finish_reasons"] == .array([.string("stop")]))
        #expect(byName["chat gpt-4.1-mini"]!.category == .llm)
        // tracestate is kept for display and never added; links are kept with their target.
        #expect(byName["orchestrate_task"]!.traceState == "cost_usd=0.00125,vendor=acme")
        let link = try #require(byName["process_queue_message"]!.links.first)
        #expect(link.traceID == ForeignTraces.linkedTraceID && link.spanID == "00f067aa0ba902b9")
        #expect(link.attributes["link.kind"]?.text == "enqueued-by")
        // `trace -f json` carries each span's attributes, links and tracestate.
        let json = Reports.traceJSON(a, runID: nil, test: nil)
        let spans = json["spans"]?.arrayValue ?? []
        let queue = try #require(spans.first { $0["name"]?.text == "process_queue_message" })
        #expect(queue["links"]?.arrayValue?.first?["trace_id"]?.text == ForeignTraces.linkedTraceID)
        #expect(queue["links"]?.arrayValue?.first?["attributes"]?["link.kind"]?.text == "enqueued-by")
        let root = try #require(spans.first { $0["name"]?.text == "orchestrate_task" })
        #expect(root["trace_state"]?.text == "cost_usd=0.00125,vendor=acme")
        let chat = try #require(spans.first { $0["name"]?.text == "chat gpt-4.1-mini" })
        #expect(chat["attributes"]?["gen_ai.request.max_tokens"] == .int(512))
        #expect(json["cost_known_usd"] != nil && json["cost_is_lower_bound"] == .bool(false))
    }

    @Test func singleTraceDocumentsOpenAsTraces() throws {
        let catalog = CatalogLoader.load(sources: ["trace.json"], fs: fs(["trace.json": ForeignTraces.traceDocument()]))
        #expect(catalog.diagnostics.isEmpty, "\(catalog.diagnostics)")
        let a = try fullTrace(catalog, ForeignTraces.traceID)
        checkOrchestrator(a)
        #expect(a.trace.recordedTotalCostUSD == 0.00165)
        #expect(a.trace.spans.first { $0.name == "orchestrate_task" }!.resource["service.name"]?.text == "orchestrator")
    }

    @Test func aFolderOfTraceFilesListsItsTraces() throws {
        let catalog = CatalogLoader.load(
            sources: ["exports"],
            fs: fs([
                "exports/a.jsonl": ForeignTraces.otlpLines(),
                "exports/b.json": ForeignTraces.traceDocument(traceID: other),
            ]))
        #expect(catalog.diagnostics.isEmpty, "\(catalog.diagnostics)")
        #expect(catalog.runs.map(\.key) == ["exports"])
        let run = RunAnalysis(entry: catalog.runs[0], data: RunLoader.load(catalog.runs[0]))
        #expect(Set(run.tests.map { $0.trace?.traceID }) == [ForeignTraces.traceID, other])
        #expect(run.extraTraces.isEmpty)
        #expect(run.tests.allSatisfy { $0.isPlainTrace && $0.outcome == .passed && $0.agentType == "orchestrate_task" })
        #expect(abs(run.cost.value! - 0.0033) < 1e-12)
        checkOrchestrator(try fullTrace(catalog, other))
    }

    @Test func traceFilesBesideOtherThingsAreEntriesOfTheirOwn() throws {
        var files = DemoGenerator(options: DemoOptions()).files()
        files["smoltrace_results/otel/export.jsonl"] = ForeignTraces.otlpLines()
        files["smoltrace_results/otel/notes.txt"] = Data("not a dataset".utf8)
        let withExport = CatalogLoader.load(sources: ["smoltrace_results"], fs: fs(files))
        #expect(withExport.runs.contains { $0.key == "export.jsonl" })
        files["smoltrace_results/otel/export.jsonl"] = nil
        let without = CatalogLoader.load(sources: ["smoltrace_results"], fs: fs(files))
        #expect(without.runs.count == withExport.runs.count - 1, "non-trace files are still not datasets")
    }

    @Test func streamingLatencyBecomesRunPercentiles() throws {
        let catalog = CatalogLoader.load(
            sources: ["exports"],
            fs: fs([
                "exports/a.jsonl": ForeignTraces.otlpLines(ttft: 0.2),
                "exports/b.jsonl": ForeignTraces.otlpLines(traceID: other, ttft: 0.6),
            ]))
        let run = RunAnalysis(entry: catalog.runs[0], data: RunLoader.load(catalog.runs[0]))
        let t = try #require(run.ttft)
        #expect(abs(t.p50 - 0.4) < 1e-9 && abs(t.max - 0.6) < 1e-9 && run.streamedCalls == 2)
        #expect(abs(try #require(run.tbt).p50 - 0.04) < 1e-9)
        let json = Reports.runJSON(run)
        #expect(json["totals"]?["ttft_s_p50"]?.number == 0.4)
        #expect(Set(json["tests"]?.arrayValue?.compactMap { $0["ttft_s"]?.number } ?? []) == [0.2, 0.6])
        #expect(Reports.streamingLine(run) == "time to first token p50 400ms · p95 580ms · p99 596ms (2 calls) · between tokens p50 40ms · p95 58ms")
        // A run without streamed calls says nothing about streaming.
        let plain = CatalogLoader.load(sources: ["t.json"], fs: fs(["t.json": ForeignTraces.producerDocument()]))
        let none = RunAnalysis(entry: plain.runs[0], data: RunLoader.load(plain.runs[0]))
        #expect(none.ttft == nil && none.streamedCalls == 0 && Reports.streamingLine(none) == nil)
        #expect(Reports.runJSON(none)["totals"]?["ttft_s_p50"] == .null)
    }

    @Test func theMostExpensiveTracesComeFirstAcrossRuns() throws {
        var files = DemoGenerator(options: DemoOptions()).files()
        files["smoltrace_results/otel/a.jsonl"] = ForeignTraces.otlpLines()
        let catalog = CatalogLoader.load(sources: ["smoltrace_results"], fs: fs(files))
        let runs = catalog.runs.map { RunAnalysis(entry: $0, data: RunLoader.load($0)) }
        let every = runs.flatMap { $0.tests.compactMap(\.trace) + $0.extraTraces }
        let top = TopTraces.rank(runs, by: .cost, limit: 5)
        #expect(top.count == 5)
        #expect(top.map(\.summary.cost.knownUSD) == every.map(\.cost.knownUSD).sorted(by: >).prefix(5).map { $0 })
        #expect(zip(top, top.dropFirst()).allSatisfy { $0.summary.cost.knownUSD >= $1.summary.cost.knownUSD })
        let byWall = TopTraces.rank(runs, by: .wall, limit: 1)
        #expect(byWall.first?.summary.wallMs == every.map(\.wallMs).max())
        #expect(TopTraces.rank(runs, by: .tokens, limit: 0).isEmpty)
        #expect(TopTraces.rank(runs, by: .spans, limit: 10_000).count == every.count)
    }

    /// The tables people paste into issues and CI logs: breakdown by service, most expensive traces, the run's tests
    /// with their time to first token.
    @Test func breakdownTopAndRunTablesAsGoldens() throws {
        let catalog = CatalogLoader.load(
            sources: ["exports"],
            fs: fs([
                "exports/collector.jsonl": ForeignTraces.otlpLines(),
                "exports/producer.json": ForeignTraces.producerDocument(),
            ]))
        var diags: [Diagnostic] = []
        let rows = Breakdown.of(run: catalog.runs[0], by: .service, diagnostics: &diags)
        #expect(diags.isEmpty)
        assertGolden(Reports.breakdown(rows, by: .service, scope: "run exports", format: .table), named: "breakdown_service.txt")
        assertGolden(Reports.breakdown(rows, by: .service, scope: "run exports", format: .markdown), named: "breakdown_service.md")
        let run = RunAnalysis(entry: catalog.runs[0], data: RunLoader.load(catalog.runs[0]))
        assertGolden(Reports.topTraces(TopTraces.rank([run], by: .cost, limit: 5), by: .cost, scope: "run exports", format: .table), named: "top_cost.txt")
        assertGolden(Reports.run(run, format: .table), named: "run_otlp.txt")
    }

    @Test func hostileSpanNamesNeverReachTheTerminalRaw() throws {
        // A root span named with an escape sequence becomes a plain trace's agent column: every table format is inert.
        let line = #"{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"ab","spanId":"01","name":"x\u001b[31mred\u0007","kind":99}]}]}]}"#
        let catalog = CatalogLoader.load(sources: ["t.jsonl"], fs: fs(["t.jsonl": Data((line + "\n").utf8)]))
        let run = RunAnalysis(entry: catalog.runs[0], data: RunLoader.load(catalog.runs[0]))
        #expect(run.tests.first?.agentType == "x\u{1B}[31mred\u{07}")
        for format in [OutputFormat.table, .markdown, .csv] {
            let out = Reports.run(run, format: format) + Reports.topTraces(TopTraces.rank([run], by: .cost, limit: 3), by: .cost, scope: "t", format: format)
            #expect(!out.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 }, "\(format)")
            #expect(out.contains("x␛[31mred␇"), "\(format)")
        }
    }
}
