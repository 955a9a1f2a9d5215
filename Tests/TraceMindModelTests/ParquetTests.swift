import Foundation
import TestSupport
import Testing
import TraceMindDemo
import TraceMindFixtures
import TraceMindFormats
@testable import TraceMindModel
import TraceMindReport

/// The Parquet reader against the project's own writer (every page version, encoding, codec and nesting it can make),
/// against SMOLTRACE's real Hub files, and against damaged files.
@Suite struct ParquetTests {
    /// Records as the reader returns them: nulls are left out of objects; numbers compare by value; keys in struct
    /// order are the union's order (as Arrow's), so compare sorted.
    static func normalized(_ j: JSON) -> JSON {
        switch j {
        case .int(let i): return .double(Double(i))
        case .array(let a): return .array(a.map(normalized))
        case .object(let o):
            var out = JSONObject()
            for k in o.keys.sorted() where !(o[k]!.isNull) { out.set(k, normalized(o[k]!)) }
            return .object(out)
        default: return j
        }
    }

    /// Where two values first differ, as a path (for messages).
    static func firstDifference(_ a: JSON, _ b: JSON, _ path: String = "") -> String? {
        switch (a, b) {
        case (.object(let x), .object(let y)):
            if x.keys != y.keys { return "\(path): keys \(x.keys.filter { y[$0] == nil }) vs \(y.keys.filter { x[$0] == nil }) order \(x.keys == y.keys)" }
            for k in x.keys { if let d = firstDifference(x[k]!, y[k]!, path + "." + k) { return d } }
            return nil
        case (.array(let x), .array(let y)):
            if x.count != y.count { return "\(path): \(x.count) vs \(y.count) items" }
            for (i, (p, q)) in zip(x, y).enumerated() { if let d = firstDifference(p, q, path + "[\(i)]") { return d } }
            return nil
        default:
            return a == b ? nil : "\(path): \(JSONWriter.string(a, pretty: false).prefix(80)) vs \(JSONWriter.string(b, pretty: false).prefix(80))"
        }
    }

    static func demoRecords(_ name: String) throws -> [JSON] {
        let files = DemoGenerator().files()
        let key = try #require(files.keys.sorted().first { $0.hasSuffix("/" + name) && files[$0]!.count > 10_000 })
        return try #require(try JSONParser.parse(files[key]!).arrayValue)
    }

    func roundTrip(_ records: [JSON], _ o: ParquetWriter.Options, _ label: String) throws {
        let data = ParquetWriter.write(records, options: o)
        let pq = try ParquetFile(data: data, name: label)
        #expect(pq.numRows == records.count, "\(label)")
        var rows: [JSON] = []
        try pq.forEachRow { r, _, _ in rows.append(r) }
        #expect(rows.count == records.count, "\(label)")
        for (k, (a, b)) in zip(records, rows).enumerated() where Self.normalized(a) != Self.normalized(b) {
            Issue.record("\(label): row \(k) differs at \(Self.firstDifference(Self.normalized(a), Self.normalized(b)) ?? "?")")
            break
        }
    }

    @Test func tracesAndResultsRoundTripInEveryLayout() throws {
        let traces = Array(try Self.demoRecords("traces.json").prefix(12))
        let results = try Self.demoRecords("results.json")
        for codec in [ParquetWriter.Codec.uncompressed, .snappy, .gzip, .zstd] {
            for version in [1, 2] {
                for dictionary in [true, false] {
                    var o = ParquetWriter.Options()
                    o.codec = codec
                    o.pageVersion = version
                    o.dictionary = dictionary
                    o.rowGroupRows = 5
                    o.pageValues = 700
                    let label = "\(codec) v\(version) dict=\(dictionary)"
                    try roundTrip(traces, o, "traces " + label)
                    try roundTrip(results, o, "results " + label)
                }
            }
        }
    }

    /// Pages compressed by the real tools, not by the writer's own simple encoders.
    @Test func pagesCompressedByTheRealTools() throws {
        let traces = Array(try Self.demoRecords("traces.json").prefix(6))
        for (codec, command) in [(ParquetWriter.Codec.gzip, "gzip -c -6"), (.zstd, "zstd -q -c -3")] {
            guard FileManager.default.isExecutableFile(atPath: "/usr/bin/" + command.split(separator: " ")[0]) else { continue }
            let dir = tempDir()
            defer { removeTemp(dir) }
            var o = ParquetWriter.Options()
            o.codec = codec
            o.pageValues = 100_000
            o.compressor = { bytes in
                write(Data(bytes), to: dir + "/in")
                _ = Subprocess.shell("\(command) < '\(dir)/in' > '\(dir)/out'", timeout: 30)
                return Array(FileManager.default.contents(atPath: dir + "/out") ?? Data())
            }
            try roundTrip(traces, o, "\(command)")
        }
    }

    @Test func nestedListsNullsAndEmptyValues() throws {
        let records: [JSON] = [
            .obj([("a", .int(1)), ("l", .array([.obj([("x", "p"), ("y", .array([.int(1), .int(2)]))]), .obj([("x", .null)])])), ("s", .obj([("k", .bool(true))]))]),
            .obj([("a", .null), ("l", .array([])), ("s", .null)]),
            .obj([("l", .array([.obj([("y", .array([]))])])), ("s", .obj([("k", .bool(false)), ("extra", 2.5)]))]),
            .obj([("a", .double(2.5)), ("t", .array(["x", .null, "y"]))]),
        ]
        for version in [1, 2] {
            var o = ParquetWriter.Options()
            o.pageVersion = version
            o.rowGroupRows = 3
            try roundTrip(records, o, "nested v\(version)")
        }
    }

    @Test func damagedFilesGiveClearErrors() throws {
        let data = ParquetWriter.write(Array(try Self.demoRecords("results.json").prefix(5)))
        func error(_ d: Data) -> String {
            do {
                let pq = try ParquetFile(data: d, name: "x.parquet")
                try pq.forEachRow { _, _, _ in }
                return ""
            } catch { return "\(error)" }
        }
        #expect(error(data.prefix(data.count - 100)).contains("truncated"))
        #expect(error(Data("PAR1".utf8)).contains("too short"))
        #expect(error(Data("not parquet at all, no".utf8)).contains("not a Parquet file"))
        var footerless = data
        footerless[footerless.count - 6] = 0x7F
        #expect(error(footerless).contains("does not fit") || error(footerless).contains("truncated"))
        // Damage anywhere (pages, levels, dictionaries, metadata) in files of every layout: an error, never a crash.
        var o2 = ParquetWriter.Options()
        o2.pageVersion = 2
        o2.dictionary = false
        o2.rowGroupRows = 2
        o2.pageValues = 50
        let traces = ParquetWriter.write(Array(try Self.demoRecords("traces.json").prefix(4)), options: o2)
        var seed: UInt64 = 42
        func next(_ n: Int) -> Int {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((seed >> 33) % UInt64(n))
        }
        for file in [data, traces] {
            for _ in 0..<150 {
                var d = file
                for _ in 0..<(1 + next(4)) { d[next(d.count)] ^= UInt8(1 + next(255)) }
                _ = error(next(5) == 0 ? d.prefix(next(d.count)) : d)
            }
        }
        var o = ParquetWriter.Options()
        o.codec = .lz4Raw
        let lz4 = error(ParquetWriter.write(Array(try Self.demoRecords("results.json").prefix(2)), options: o))
        #expect(lz4.contains("LZ4") && lz4.contains("not supported"), "\(lz4)")
    }

    @Test func badFilesInAHubFolderAreReportedByName() throws {
        let dir = tempDir()
        defer { removeTemp(dir) }
        let hub = HubLayout.convert(DemoGenerator().files())
        for (p, d) in hub { write(d, to: dir + "/" + p) }
        let lb = dir + "/demo-user/smoltrace-leaderboard/data/train-00000-of-00001.parquet"
        let good = CatalogLoader.load(sources: [dir])
        #expect(good.diagnostics.isEmpty, "\(good.diagnostics)")
        let full = try #require(FileManager.default.contents(atPath: lb))
        write(full.prefix(full.count / 2), to: lb)
        let c = CatalogLoader.load(sources: [dir])
        #expect(c.diagnostics.contains { $0.path.hasSuffix("train-00000-of-00001.parquet") && $0.message.contains("truncated") }, "\(c.diagnostics)")
        // Without the leaderboard, each results repository is a run of its own, with its traces and metrics.
        let withTests = good.runs.filter { !RunLoader.load($0).results.isEmpty }
        #expect(c.runs.count == withTests.count, "\(c.runs.map(\.key))")
        #expect(c.runs.allSatisfy { $0.files.traces != nil && $0.files.metrics != nil })
    }

    /// The same generated runs as folders of JSON and as Hub repositories of Parquet give the same reports.
    @Test func hubLayoutGivesTheSameReportsAsFolders() throws {
        let files = DemoGenerator().files()
        let folders = CatalogLoader.load(sources: ["smoltrace_results"], fs: MemoryFileSystem(files: files))
        var o = ParquetWriter.Options()
        o.rowGroupRows = 7
        o.pageVersion = 2
        let hub = CatalogLoader.load(sources: ["demo-user"], fs: MemoryFileSystem(files: HubLayout.convert(files, options: o, shards: 2)))
        #expect(hub.diagnostics.isEmpty, "\(hub.diagnostics)")
        #expect(hub.runs.count == folders.runs.count)
        try compareReports(folders, hub)
    }

    /// `../shared/data`: SMOLTRACE's own JSON folders and its Hub push of the same runs.
    @Test(.enabled(if: sharedData("smoltrace-0.2.12/json") != nil && sharedData("smoltrace-0.2.12/hub") != nil, "needs ../shared/data")) func sharedHubDataMatchesItsJSON() throws {
        let json = try #require(sharedData("smoltrace-0.2.12/json"))
        let hubDir = try #require(sharedData("smoltrace-0.2.12/hub"))
        let a = CatalogLoader.load(sources: [json]), b = CatalogLoader.load(sources: [hubDir])
        #expect(b.diagnostics.isEmpty, "\(b.diagnostics)")
        #expect(b.runs.count == 4)
        try compareReports(a, b)
    }

    func compareReports(_ a: Catalog, _ b: Catalog) throws {
        // Where the run came from and who pushed it legitimately differ between the two forms.
        func strip(_ s: String, _ e: RunEntry) -> String {
            s.replacingOccurrences(of: e.source, with: "SOURCE").replacingOccurrences(of: e.key, with: "KEY").split(separator: "\n")
                .filter { !(multiGPU && $0.contains("\"co2_g\"")) }.filter { !$0.contains("\"source\"") && !$0.contains("\"submitted_by\"") && !$0.contains("_dataset\"") }.joined(separator: "\n")
        }
        var multiGPU = false
        for ra in a.runs {
            let rb = try #require(b.runs.first { r in ra.row.runID.map { r.row.runID == $0 } ?? (r.row.model == ra.row.model && r.row.timestamp == ra.row.timestamp) })
            let x = RunAnalysis(entry: ra, data: RunLoader.load(ra)), y = RunAnalysis(entry: rb, data: RunLoader.load(rb))
            // SMOLTRACE's flat Hub metrics keep one GPU of a multi-GPU machine (data doc §4.4): CO2 may differ there.
            multiGPU = (x.metrics?.gpuIDs.count ?? 0) > 1
            #expect(x.tests.count == y.tests.count, "\(ra.key)")
            for f in [OutputFormat.json, .csv, .markdown] {
                let (p, q) = (strip(Reports.run(x, format: f), ra), strip(Reports.run(y, format: f), rb))
                if p != q {
                    let diff = zip(p.split(separator: "\n"), q.split(separator: "\n")).first { $0 != $1 }
                    Issue.record("\(ra.key) \(f): \(diff.map { "\($0.0) | \($0.1)" } ?? "lengths differ")")
                }
            }
            #expect((x.metrics?.hasGPUData ?? false) == (y.metrics?.hasGPUData ?? false), "\(ra.key)")
            if let mx = x.metrics, mx.hasGPUData, let my = y.metrics {
                for name in ["gen_ai.gpu.utilization", "gen_ai.gpu.temperature"] {
                    #expect(mx.series(name)?.maxValue == my.series(name)?.maxValue, "\(ra.key) \(name)")
                }
            }
            // A full trace, loaded lazily from its place in the file, is the same.
            if let t = x.tests.compactMap(\.trace).first, let u = y.tests.compactMap(\.trace).first(where: { $0.traceID == t.traceID }) {
                let tx = try RunLoader.loadTrace(t, fs: ra.files.fs), ty = try RunLoader.loadTrace(u, fs: rb.files.fs)
                #expect(tx.spans.count == ty.spans.count && !tx.spans.isEmpty)
                #expect(TraceAnalysis(tx).tokens == TraceAnalysis(ty).tokens)
            }
        }
    }

    @Test func hubMetricShapes() {
        func row(_ t: Int64?, _ util: Double, _ co2: Double, gpu: String? = nil) -> JSONObject {
            var o = JSONObject()
            o.set("run_id", "r")
            if let t { o.set("timestamp_unix_nano", .string(String(t))) }
            o.set("gpu_utilization_percent", .double(util))
            o.set("co2_emissions_gco2e", .double(co2))
            o.set("gpu_temperature_celsius", .double(0))
            if let gpu { o.set("gpu_id", .string(gpu)) }
            return o
        }
        // The placeholder row of an API run: no GPU data.
        #expect(RunMetrics(records: [row(nil, 0, 0)]).hasGPUData == false)
        // Duplicate rows of one timestamp merge, taking the non-zero value; a column that never leaves 0 is dropped.
        let m = RunMetrics(records: [row(10, 40, 0, gpu: "0"), row(10, 0, 1.5, gpu: "0"), row(20, 60, 2.5, gpu: "0")])
        #expect(m.hasGPUData)
        #expect(m.series("gen_ai.gpu.utilization")?.points.map(\.value) == [40, 60])
        #expect(m.series("gen_ai.co2.emissions")?.points.map(\.value) == [1.5, 2.5])
        #expect(m.co2TotalGrams == 2.5)
        #expect(m.series("gen_ai.gpu.temperature") == nil)
        // TraceMind's long form.
        var l = JSONObject()
        l.set("metric_name", "gen_ai.gpu.power")
        l.set("value", 120.0)
        l.set("timestamp_unix_nano", "5")
        l.set("gpu_id", "1")
        #expect(RunMetrics(records: [l]).series("gen_ai.gpu.power", gpu: "1")?.points.first?.value == 120)
        // 0.0.1 aggregate rows.
        let agg = JSONObject([("name", "tests.successful"), ("type", "counter"), ("data_points", .array([.obj([("value", .obj([("value", 3)]))])]))])
        #expect(RunMetrics(records: [agg]).aggregates.first?.value == 3)
    }
}
