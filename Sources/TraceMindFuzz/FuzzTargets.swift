import Foundation
import TraceMindDemo
import TraceMindFixtures
import TraceMindFormats
import TraceMindHub
import TraceMindModel

/// The parser entry points that untrusted bytes reach, each fed through the same path the program uses (the
/// loader, the run analysis, a trace opened in full), on an in-memory file system: nothing is written anywhere.
/// `swift test` runs a few hundred deterministic mutations of each target's seeds; `tracemind-fuzz` runs them under
/// libFuzzer (see the README).
public enum FuzzTarget: String, CaseIterable, Sendable {
    /// A run folder's `traces.json` (the others intact).
    case traces
    /// A run folder's `results.json`.
    case results
    /// A run folder's `leaderboard_row.json`.
    case leaderboard
    /// A run folder's `metrics.json`.
    case metrics
    /// Traces as JSON Lines (`traces.jsonl`, one span or trace per line).
    case jsonl
    /// An OpenTelemetry Collector file export (OTLP/JSON lines).
    case otlp
    /// A single trace document.
    case traceDocument = "trace-document"
    /// A Parquet dataset file (leaderboard, results, traces or metrics).
    case parquet
    /// One page of the Hub API's file listing.
    case hubListing = "hub-listing"

    /// The file name the input is loaded as.
    var fileName: String {
        switch self {
        case .traces: return "traces.json"
        case .results: return "results.json"
        case .leaderboard: return "leaderboard_row.json"
        case .metrics: return "metrics.json"
        case .jsonl: return "spans.jsonl"
        case .otlp: return "otel-export.jsonl"
        case .traceDocument: return "trace.json"
        case .parquet: return "data.parquet"
        case .hubListing: return "listing.json"
        }
    }

    static let runFolder = "runs/openai_gpt-4o_tool_20261102_090000"

    /// The run folder the run targets replace one file of.
    static let demoRun: [String: Data] = {
        DemoGenerator().files().filter { $0.key.contains("openai_gpt-4o_tool_20261102_090000") }
            .reduce(into: [:]) { $0[runFolder + "/" + ($1.key as NSString).lastPathComponent] = $1.value }
    }()

    /// Valid inputs to start from, made by the project's generator.
    public var seeds: [[UInt8]] {
        switch self {
        case .traces, .results, .leaderboard, .metrics:
            return [Self.demoRun[Self.runFolder + "/" + fileName].map { [UInt8]($0) } ?? []]
        case .jsonl:
            guard let t = Self.demoRun[Self.runFolder + "/traces.json"], let traces = try? JSONParser.parse(t).arrayValue else { return [] }
            let spans = traces.prefix(2).flatMap { $0["spans"]?.arrayValue ?? [] }.prefix(40)
            let lines = spans.map { JSONWriter.string($0, pretty: false) }.joined(separator: "\n")
            return [Array(lines.utf8)]
        case .otlp: return [[UInt8](ForeignTraces.otlpLines())]
        case .traceDocument: return [[UInt8](ForeignTraces.traceDocument()), [UInt8](ForeignTraces.producerDocument())]
        case .parquet:
            let hub = HubLayout.convert(DemoGenerator().files().filter { $0.key.contains("openai_gpt-4o_tool_20261102_090000") || $0.key.contains("b1d2") })
            return hub.filter { $0.key.hasSuffix(".parquet") && !$0.key.contains("smoltrace-metrics-") }.sorted { $0.key < $1.key }.map { [UInt8]($0.value) }
        case .hubListing:
            let entries = [
                #"{"type":"directory","oid":"0","size":0,"path":"data"}"#,
                #"{"type":"file","oid":"a1","size":2710,"path":"data/train-00000-of-00001.parquet","lfs":{"oid":"sha-a1","size":2710,"pointerSize":134}}"#,
                #"{"type":"file","oid":"b2","size":120,"path":"README.md"}"#,
                #"{"type":"file","oid":"c3","size":99,"path":"data/extra.json"}"#,
            ]
            return [Array(("[" + entries.joined(separator: ",") + "]").utf8)]
        }
    }

    /// What one input did: the diagnostics (each must name the file), and the runs and tests it gave.
    public struct Outcome: Sendable {
        public var diagnostics: [Diagnostic] = []
        public var runs = 0
        public var tests = 0
        /// The path the input was loaded from (diagnostics about it must name it).
        public var path = ""
    }

    /// Feeds one input through its entry point. Never writes anything; never traps on any input.
    public func run(_ input: [UInt8]) -> Outcome {
        var out = Outcome()
        let data = Data(input)
        switch self {
        case .hubListing:
            out.path = fileName
            if case .failure(let e) = HubClient.listedFiles(data) { out.diagnostics.append(Diagnostic(path: fileName, e.description)) }
            return out
        case .traces, .results, .leaderboard, .metrics:
            var files = Self.demoRun
            files[Self.runFolder + "/" + fileName] = data
            out.path = Self.runFolder + "/" + fileName
            load(MemoryFileSystem(files: files), source: "runs", into: &out)
        case .jsonl, .otlp, .traceDocument, .parquet:
            out.path = "in/" + fileName
            load(MemoryFileSystem(files: [out.path: data]), source: out.path, into: &out)
        }
        return out
    }

    /// The program's path: the catalog, each run loaded and analysed, its first traces opened in full.
    func load(_ fs: MemoryFileSystem, source: String, into out: inout Outcome) {
        let catalog = CatalogLoader.load(sources: [source], fs: fs)
        out.diagnostics += catalog.diagnostics
        out.runs = catalog.runs.count
        for entry in catalog.runs {
            let data = RunLoader.load(entry)
            out.diagnostics += data.diagnostics
            let analysis = RunAnalysis(entry: entry, data: data)
            out.tests += analysis.tests.count
            for summary in (analysis.tests.compactMap(\.trace) + analysis.extraTraces).prefix(3) {
                guard let trace = try? RunLoader.loadTrace(summary, fs: fs) else { continue }
                _ = Waterfall(TraceAnalysis(trace))
            }
        }
    }
}

/// Deterministic mutations (SplitMix64): the same seed gives the same inputs on every machine.
public struct Mutator: Sendable {
    var random: SplitMix64
    public init(seed: UInt64) { random = SplitMix64(seed: seed) }

    mutating func below(_ n: Int) -> Int { n <= 0 ? 0 : Int(random.next() % UInt64(n)) }

    static let tokens: [[UInt8]] = [
        "{", "}", "[", "]", "\"", ",", ":", "null", "true", "-", "0", "1e999", "-1", "99999999999999999999999",
        "9223372036854775808", "\\u0000", "\\ud800", "\u{1b}[2J", "\"\"", "[[[[[[[[", "{\"spans\":[", "\n", "PAR1", "\0",
        "NaN", "\"span_id\":", "\"trace_id\":\"\"", "\"parent_span_id\":\"0x1\"", "\"start_time\":-1",
    ].map { Array($0.utf8) }

    /// One to four random edits of `bytes`.
    public mutating func mutate(_ bytes: [UInt8]) -> [UInt8] {
        var b = bytes
        for _ in 0...below(4) {
            let n = b.count
            switch below(9) {
            case 0 where n > 0:  // flip a bit
                b[below(n)] ^= 1 << UInt8(below(8))
            case 1 where n > 0:  // an interesting byte
                b[below(n)] = [0, 0xFF, 0x7F, 0x80, 0x22, 0x5C, 0x7B, 0x5B, 0x30, 0x0A][below(10)]
            case 2 where n > 0:  // truncate
                b.removeSubrange(below(n)..<n)
            case 3 where n > 1:  // delete a range
                let a = below(n)
                b.removeSubrange(a..<min(n, a + 1 + below(64)))
            case 4 where n > 1:  // duplicate a range
                let a = below(n), len = min(n - a, 1 + below(256))
                b.insert(contentsOf: b[a..<(a + len)], at: below(n))
            case 5:  // insert a token
                b.insert(contentsOf: Mutator.tokens[below(Mutator.tokens.count)], at: below(n + 1))
            case 6 where n > 8:  // overwrite 4 bytes with a large or negative 32-bit value (Parquet lengths, counts)
                let at = below(n - 4)
                let v: UInt32 = [0xFFFF_FFFF, 0x7FFF_FFFF, 0x8000_0000, 0, 1 << 24][below(5)]
                for k in 0..<4 { b[at + k] = UInt8(truncatingIfNeeded: v >> (8 * UInt32(k))) }
            case 7 where n > 2:  // swap two bytes
                b.swapAt(below(n), below(n))
            default:  // replace a digit run with a huge number
                if let i = b.indices.dropFirst(below(max(1, n))).first(where: { (0x30...0x39).contains(b[$0]) }) {
                    b.insert(contentsOf: Array("000000000000000000000000000".utf8), at: i)
                }
            }
        }
        return b
    }
}
