import Foundation
import TestSupport
import Testing
import TraceMindDemo
import TraceMindFixtures
import TraceMindFormats
import TraceMindHTTP
@testable import TraceMindModel
@testable import TraceMindOpenSearch
import TraceMindReport

/// `opensearch://` sources against a loopback server speaking the OpenSearch REST API, filled by the generator's runs
/// the way SMOLTRACE's exporter writes them.
@Suite(.serialized) struct OpenSearchTests {
    final class Fixture {
        let dir = tempDir()
        let server: OpenSearchServer
        let files = DemoGenerator().files()
        var cache: String { dir + "/cache" }
        var local: String { dir + "/json" }
        init(taskIDKeys: Bool = false, auth: Bool = true) throws {
            server = try OpenSearchServer()
            try OpenSearchLayout.export(files, endpoint: server.endpoint, keyResultsByTaskID: taskIDKeys)
            if auth { server.basicAuth = ("reader", "s3cr3t-pass") }
            for (p, d) in files { write(d, to: local + "/" + p) }
        }
        func client(_ source: String? = nil, credentials: OpenSearchCredentials = OpenSearchCredentials(user: "reader", password: "s3cr3t-pass"))
            -> OpenSearchClient
        {
            try! OpenSearchClient.make(source: source ?? server.source, credentials: credentials, caFile: nil, insecure: false, cacheRoot: cache, timeout: 5)
                .get()
        }
        func load(_ sources: [String]? = nil, client: OpenSearchClient? = nil) -> Catalog {
            let srcs = sources ?? [server.source]
            let c = client ?? self.client()
            var map: [String: any RemoteDatasets] = [:]
            for s in srcs where OpenSearchPath.isOpenSearch(s) { map[s] = c }
            return CatalogLoader.load(sources: srcs, openSearch: map)
        }
        /// Every file under the fixture (partial downloads must never survive).
        func partials() -> [String] {
            (FileManager.default.enumerator(atPath: dir)?.allObjects as? [String] ?? []).filter { $0.hasSuffix(".part") }
        }
        deinit {
            server.stop()
            removeTemp(dir)
        }
    }

    @Test func sourcesParseAndRefuseCredentialsInTheURL() throws {
        let p = try OpenSearchPath.parse("opensearch://127.0.0.1:19200/team-evals").get()
        #expect(p.endpoint == "http://127.0.0.1:19200" && p.prefix == "team-evals" && p.leaderboardIndex == "team-evals-leaderboard")
        let d = try OpenSearchPath.parse("opensearchs://search.example.com").get()
        #expect(d.endpoint == "https://search.example.com:9200" && d.prefix == "smoltrace")
        #expect(try OpenSearchPath.parse("opensearch://[::1]:9201/").get().endpoint == "http://[::1]:9201")
        for bad in ["opensearch://", "opensearch://host:99999", "opensearch://host/UPPER", "opensearch://host/a*b", "opensearch://ho st"] {
            guard case .failure = OpenSearchPath.parse(bad) else {
                Issue.record("\(bad) parsed")
                continue
            }
        }
        guard case .failure(let e) = OpenSearchPath.parse("opensearch://admin:hunter2@127.0.0.1:9200") else {
            Issue.record("credentials in the URL were taken")
            return
        }
        #expect(!e.description.contains("hunter2") && e.description.contains("OPENSEARCH_PASSWORD"))
        #expect(OpenSearchPath.redacted("opensearch://admin:hunter2@host:1/p") == "opensearch://***@host:1/p")
        // Which dataset references are remote (not cached by file identity): the schemes, and nothing else.
        for remote in ["hf://team/evals-results", "opensearch://127.0.0.1:19200/p", "opensearchs://search.example.com"] {
            #expect(RemoteReference.isRemote(remote), "\(remote)")
        }
        for local in ["/data/run/results.json", "/hf://team/evals", "runs/hf://x", "", "h", "opensearch:/x"] {
            #expect(!RemoteReference.isRemote(local), "\(local)")
        }
    }

    @Test func nonLoopbackNeedsTLSAndCredentialsUnlessInsecure() throws {
        // Addresses only (no name is looked up, no connection is made: the refusal comes first).
        let none = OpenSearchCredentials()
        let some = OpenSearchCredentials(user: "u", password: "p")
        func refused(_ src: String, _ c: OpenSearchCredentials, insecure: Bool = false) -> String? {
            if case .failure(let e) = OpenSearchClient.make(source: src, credentials: c, caFile: nil, insecure: insecure, cacheRoot: "/nonexistent") {
                return e.description
            }
            return nil
        }
        #expect(refused("opensearch://192.0.2.10", some)?.contains("TLS") == true)
        #expect(refused("opensearchs://192.0.2.10", none)?.contains("credentials") == true)
        #expect(refused("opensearchs://192.0.2.10", some) == nil)
        #expect(refused("opensearch://192.0.2.10", none, insecure: true) == nil)
        #expect(refused("opensearch://127.0.0.1", none) == nil)
        #expect(refused("opensearch://localhost", none) == nil)
        #expect(refused("opensearch://[::1]", none) == nil)
        #expect(OpenSearchCredentials(user: "u", password: "p").authorization == "Basic dTpw")
        #expect(OpenSearchCredentials(user: "u", password: "p", apiKey: "k").authorization == "ApiKey k")
        // The password comes from a file, trimmed; a missing or empty file is named, its contents never.
        let dir = tempDir()
        defer { removeTemp(dir) }
        write("  pw-from-file\n", to: dir + "/pw")
        write("\n", to: dir + "/empty")
        let c = try OpenSearchCredentials.fromEnvironment(["OPENSEARCH_USER": "u", "OPENSEARCH_PASSWORD": "env"], passwordFile: dir + "/pw")
        #expect(c.password == "pw-from-file")
        #expect(throws: RemoteFetchError.self) { try OpenSearchCredentials.fromEnvironment(["OPENSEARCH_USER": "u"], passwordFile: dir + "/empty") }
        #expect(throws: RemoteFetchError.self) { try OpenSearchCredentials.fromEnvironment(["OPENSEARCH_USER": "u"], passwordFile: nil) }
    }

    @Test func leaderboardFirstThenEachRunOnDemandWithFiguresOfTheJSON() throws {
        let f = try Fixture()
        let written = f.server.log.count
        let c = f.load()
        #expect(c.diagnostics.isEmpty, "\(c.diagnostics)")
        #expect(c.runs.count == 5)
        #expect(c.runs.allSatisfy { $0.source == f.server.source })
        #expect(!f.server.log.dropFirst(written).contains { $0.contains("-results-") || $0.contains("-traces-") }, "no run index before a run opens")
        #expect(f.server.log.contains("POST /smoltrace-leaderboard/_search/point_in_time"))
        #expect(f.server.log.contains("DELETE /_search/point_in_time"), "the point in time is closed")

        // The same runs as Hub Parquet repositories (SMOLTRACE writes the same flat rows to both): every report of
        // every run is the same, in every format.
        for (p, d) in HubLayout.convert(f.files) { write(d, to: f.dir + "/hub/" + p) }
        let hub = CatalogLoader.load(sources: [f.dir + "/hub/demo-user"])
        #expect(hub.runs.count == 5)
        for he in hub.runs {
            let oe = try c.run(matching: he.key)
            #expect(oe.files.results?.hasPrefix(f.server.source + "/smoltrace-results-") == true)
            let od = RunLoader.load(oe), hd = RunLoader.load(he)
            let b = RunAnalysis(entry: he, data: hd)
            guard !b.tests.isEmpty else {
                // A run that measured nothing: SMOLTRACE's row names indexes it never created.
                #expect(od.diagnostics.contains { $0.description.contains("missing index smoltrace-results-") }, "\(od.diagnostics)")
                continue
            }
            #expect(od.diagnostics.filter { $0.severity != .note }.isEmpty, "\(od.diagnostics)")
            let a = RunAnalysis(entry: oe, data: od)
            for format in [OutputFormat.json, .csv, .markdown] {
                let x = Reports.run(a, format: format).replacingOccurrences(of: oe.source, with: "SOURCE")
                let y = Reports.run(b, format: format).replacingOccurrences(of: he.source, with: "SOURCE")
                #expect(x == y, "\(he.key) \(format)")
            }
            let t = try #require(a.tests.compactMap(\.trace).first)
            #expect(try RunLoader.loadTrace(t, fs: oe.files.fs).spans.count == RunLoader.loadTrace(b.tests.compactMap(\.trace).first!, fs: he.files.fs).spans.count)
        }
        // And the counted-once figures of the JSON folders (metrics aside: the flat form SMOLTRACE writes to the
        // Hub and OpenSearch keeps one GPU per timestamp).
        let local = CatalogLoader.load(sources: [f.local])
        let ot = RunTotals.analyseAll(c.runs, cache: nil).totals, lt = RunTotals.analyseAll(local.runs, cache: nil).totals
        for le in local.runs {
            let oe = try #require(c.runs.first { $0.row.model == le.row.model && $0.row.timestamp == le.row.timestamp && $0.row.runID == le.row.runID })
            let o = try #require(ot[oe.key]), l = try #require(lt[le.key])
            #expect(o.tokens == l.tokens && o.cost == l.cost && o.tests == l.tests && o.passed == l.passed && o.wallP50Ms == l.wallP50Ms, "\(le.key)")
            #expect(o.outcomes == l.outcomes && o.partial == l.partial)
        }
        #expect(f.partials().isEmpty)
    }

    @Test func pagesPastTenThousandHitsByPointInTimeElseScroll() throws {
        let server = try OpenSearchServer()
        defer { server.stop() }
        // 10,050 leaderboard rows: past the 10,000-hit window that from/size stops at.
        var body = Data()
        for i in 0..<10_050 {
            body += Data("{\"index\":{\"_index\":\"smoltrace-leaderboard\",\"_id\":\"run-\(i)\"}}\n".utf8)
            body += Data("{\"run_id\":\"run-\(i)\",\"model\":\"m\(i % 7)\",\"agent_type\":\"tool\",\"total_tests\":4,\"successful_tests\":\(i % 5),\"success_rate\":\(Double(i % 5) * 25)}\n".utf8)
        }
        _ = try HTTP.request("POST", server.endpoint + "/_bulk", headers: ["Content-Type: application/x-ndjson"], body: body, timeout: 10, maxBytes: 64 << 20, tls: TLSOptions())
        let dir = tempDir()
        defer { removeTemp(dir) }
        for (pit, shardDoc, forbidden) in [(true, true, false), (true, false, false), (false, true, false), (false, true, true)] {
            server.clearFaults()
            if forbidden {
                // A role that may search and scroll but not open a point in time.
                server.inject(.init(match: "point_in_time", status: 403, body: #"{"error":{"type":"security_exception"}}"#))
                server.inject(.init(match: "/_pit", status: 403, body: #"{"error":{"type":"security_exception"}}"#))
            }
            server.pointInTime = pit
            server.shardDocSort = shardDoc
            let before = server.log.count
            let client = try OpenSearchClient.make(source: server.source, credentials: OpenSearchCredentials(), caFile: nil, insecure: false, cacheRoot: dir).get()
            let c = CatalogLoader.load(sources: [server.source], openSearch: [server.source: client])
            #expect(c.runs.count == 10_050, "pit \(pit), _shard_doc \(shardDoc): \(c.diagnostics)")
            #expect(Set(c.runs.compactMap(\.row.runID)).count == 10_050)
            let log = server.log.dropFirst(before)
            if pit {
                // Ten full pages and a last one (and the first again without `_shard_doc` where it is refused).
                #expect(log.filter { $0 == "POST /_search" }.count == (shardDoc ? 11 : 12), "\(log.count) requests")
            } else {
                #expect(log.contains("POST /smoltrace-leaderboard/_search") && log.filter { $0 == "POST /_search/scroll" }.count >= 10)
                #expect(log.contains("DELETE /_search/scroll"), "the scroll is cleared")
            }
        }
    }

    @Test func everyErrorIsOneNamedLineAndTheOtherSourcesStillLoad() throws {
        let f = try Fixture()
        let src = f.server.source
        func errors(_ c: Catalog) -> [String] { c.diagnostics.filter { $0.severity == .error }.map(\.description) }
        func check(_ expected: String, client: OpenSearchClient? = nil, _ sources: [String]? = nil, line: Int = #line) {
            let c = f.load((sources ?? [src]) + [f.local], client: client)
            let e = errors(c)
            #expect(e.count == 1 && e.first?.contains(expected) == true, "\(expected): \(e)", sourceLocation: SourceLocation(fileID: #fileID, filePath: #filePath, line: line, column: 1))
            #expect(c.runs.count == 5, "the local runs still load", sourceLocation: SourceLocation(fileID: #fileID, filePath: #filePath, line: line, column: 1))
            #expect(!c.diagnostics.contains { $0.description.contains("s3cr3t") })
        }
        check("not authorised (HTTP 401)", client: f.client(credentials: OpenSearchCredentials()))
        check("credentials were refused", client: f.client(credentials: OpenSearchCredentials(user: "reader", password: "wrong")))
        f.server.forbidden = ["smoltrace-leaderboard"]
        check("access denied (HTTP 403)")
        f.server.forbidden = []
        check("missing index team-leaderboard", [src + "/team"])
        f.server.inject(.init(match: "point_in_time", status: 429, body: "{}", headers: ["Retry-After": "17"]))
        check("rate limited (HTTP 429); retry after 17 s")
        f.server.clearFaults()
        f.server.inject(.init(match: "point_in_time", status: 503, body: #"{"error":{"type":"cluster_block_exception"}}"#))
        check("server error (HTTP 503)")
        f.server.clearFaults()
        f.server.inject(.init(match: "POST /_search", status: 200, body: "<html>proxy</html>"))
        check("malformed response")
        f.server.clearFaults()
        // Unreachable: a port nothing listens on (a server stopped).
        let gone = try OpenSearchServer()
        let port = gone.port
        gone.stop()
        check("cannot reach http://127.0.0.1:\(port)", client: f.client("opensearch://127.0.0.1:\(port)"), ["opensearch://127.0.0.1:\(port)"])
        // TLS spoken to a plain-HTTP server: the handshake fails.
        check("TLS failure", client: f.client("opensearchs://127.0.0.1:\(f.server.port)"), ["opensearchs://127.0.0.1:\(f.server.port)"])
        #expect(f.partials().isEmpty)
        // No cache path names a credential.
        #expect(!(FileManager.default.enumerator(atPath: f.cache)?.allObjects as? [String] ?? []).contains { $0.contains("reader") || $0.contains("s3cr3t") })
    }

    @Test func aServerThatNeverEndsItsPagesIsStopped() throws {
        let f = try Fixture()
        let client = f.client()
        client.pageSize = (2, 2, 2)
        let page = #"{"hits":{"total":{"value":3,"relation":"eq"},"hits":[{"_id":"a","_source":{"model":"m"},"sort":[5]},{"_id":"b","_source":{"model":"m"},"sort":[5]}]}}"#
        f.server.inject(.init(match: "POST /_search", status: 200, body: page))
        var notes: [Diagnostic] = []
        #expect(throws: RemoteFetchError.self) { _ = try client.fetch("smoltrace-leaderboard", progress: nil, isCancelled: nil, notes: &notes) }
        f.server.clearFaults()
        // Pages that go on past the total announced.
        var n = 0
        let pages = (0..<8).map { i -> String in
            n += 2
            return #"{"hits":{"total":{"value":1,"relation":"eq"},"hits":[{"_id":"a\#(i)","_source":{"model":"m"},"sort":[\#(n)]},{"_id":"b\#(i)","_source":{"model":"m"},"sort":[\#(n + 1)]}]}}"#
        }
        for p in pages { f.server.inject(.init(match: "POST /_search", status: 200, body: p, times: 1)) }
        do {
            _ = try client.fetch("smoltrace-leaderboard", progress: nil, isCancelled: nil, notes: &notes)
            Issue.record("an endless read was accepted")
        } catch {
            #expect(error.description.contains("more documents than the 1 announced"), "\(error)")
        }
        #expect(f.partials().isEmpty)
    }

    @Test func anIndexReadInPartMakesTheFiguresLowerBounds() throws {
        let f = try Fixture()
        let c = f.load()
        let entry = try #require(c.runs.first { $0.row.runID?.hasPrefix("7f3c") == true })
        let traces = try #require(entry.files.traces.flatMap { f.client().datasetID($0) })
        let id = try #require(f.server.ids(traces).first)
        let source = String(decoding: try #require(f.server.source(traces, id)), as: UTF8.self)
        // The results index is read as it is; the traces index's first page announces more than it holds.
        let page = #"{"hits":{"total":{"value":40,"relation":"eq"},"hits":[{"_id":"\#(id)","_source":\#(source),"sort":[0]}]}}"#
        f.server.inject(.init(match: "POST /_search", status: 200, body: page, times: 1, after: 1))
        let d = RunLoader.load(entry)
        #expect(d.diagnostics.contains { $0.description.contains("read 1 of the 40 documents") }, "\(d.diagnostics)")
        #expect(!d.partialTraces.isEmpty && d.partialResults.isEmpty)
        let a = RunAnalysis(entry: entry, data: d)
        #expect(a.tokensAreLowerBound)
        #expect(Reports.run(a, format: .markdown).contains("≥"))
    }

    @Test func runsWithoutALeaderboardRowAreReadFromTheirResultsIndexes() throws {
        let f = try Fixture()
        let auth = ["Authorization: Basic " + Data("reader:s3cr3t-pass".utf8).base64EncodedString()]
        func http(_ method: String, _ path: String) throws {
            _ = try HTTP.request(method, f.server.endpoint + path, headers: auth, body: nil, timeout: 5, maxBytes: 1 << 20, tls: TLSOptions())
        }
        let full = f.load()
        // One row gone (SMOLTRACE writes the row last: a failed write leaves the run's indexes without one).
        let gone = try #require(full.runs.first { $0.row.runID?.hasPrefix("7f3c") == true })
        try http("DELETE", "/smoltrace-leaderboard/_doc/\(try #require(gone.row.runID))")
        let c = f.load()
        #expect(c.runs.count == full.runs.count, "\(c.diagnostics)")
        let back = try #require(c.runs.first { $0.row.runID == gone.row.runID })
        #expect(back.origin == .resultsFile && back.source == f.server.source)
        #expect(back.files.traces == gone.files.traces && back.files.metrics == gone.files.metrics)
        let a = RunAnalysis(entry: back, data: RunLoader.load(back)), b = RunAnalysis(entry: gone, data: RunLoader.load(gone))
        #expect(RunTotals(a).tokens == RunTotals(b).tokens && RunTotals(a).outcomes == RunTotals(b).outcomes)
        // No leaderboard index at all: every run with results, and a note (not an error).
        try http("DELETE", "/smoltrace-leaderboard")
        let none = f.load()
        #expect(none.runs.count == full.runs.filter { !($0.row.totalTests == 0) }.count, "\(none.diagnostics)")
        #expect(none.diagnostics.contains { $0.severity == .note && $0.description.contains("missing index smoltrace-leaderboard") && $0.description.contains("runs read from their results indexes") })
        #expect(!none.diagnostics.contains { $0.severity == .error })
        // A role that may not list indexes: the leaderboard's runs, and a note saying what is not shown.
        f.server.inject(.init(match: "/_cat/indices", status: 403, body: #"{"error":{"type":"security_exception"}}"#))
        let unlisted = f.load()
        #expect(unlisted.diagnostics.contains { $0.description.contains("cannot list the store's indexes") })
    }

    @Test func remoteRunsAreNeverServedFromTheAnalysisCache() throws {
        let f = try Fixture()
        let cache = AnalysisCache(directory: f.dir + "/analysis")
        let c = f.load()
        let entry = try #require(c.runs.first { $0.row.runID?.hasPrefix("7f3c") == true })
        #expect(AnalysisCache.key(entry) == nil, "an index has no identity before it is fetched")
        let first = try #require(RunTotals.analyseAll([entry], cache: cache).totals[entry.key])
        // The store changes under the same leaderboard row: a test's result is gone.
        let results = try #require(entry.files.results.flatMap { f.client().datasetID($0) })
        let id = try #require(f.server.ids(results).first)
        _ = try HTTP.request(
            "DELETE", f.server.endpoint + "/\(results)/_doc/\(id)",
            headers: ["Authorization: Basic " + Data("reader:s3cr3t-pass".utf8).base64EncodedString()], body: nil, timeout: 5, maxBytes: 1 << 20,
            tls: TLSOptions())
        let again = f.load()
        let e2 = try again.run(matching: entry.key)
        let second = try #require(RunTotals.analyseAll([e2], cache: cache).totals[e2.key])
        #expect(second.tests == first.tests - 1, "read afresh, not from the cache")
    }

    @Test func aRunIndexMissingIsNamedWhenTheRunOpens() throws {
        let f = try Fixture()
        let c = f.load()
        let entry = try #require(c.runs.first { $0.files.traces != nil })
        let traces = try #require(entry.files.traces.flatMap { f.client().datasetID($0) })
        _ = try HTTP.request(
            "DELETE", f.server.endpoint + "/" + traces, headers: ["Authorization: Basic " + Data("reader:s3cr3t-pass".utf8).base64EncodedString()], body: nil,
            timeout: 5, maxBytes: 1 << 20, tls: TLSOptions())
        let d = RunLoader.load(entry)
        #expect(d.diagnostics.contains { $0.description.contains("missing index \(traces)") }, "\(d.diagnostics)")
        #expect(!d.results.isEmpty, "the results still load")
    }

    @Test func resultsKeyedByTaskIDSayTestsAreMissing() throws {
        let f = try Fixture(taskIDKeys: true)
        let c = f.load()
        let both = try #require(c.runs.first { $0.row.agentType == "both" })
        let d = RunLoader.load(both)
        #expect(d.diagnostics.contains { $0.description.contains("keyed by task_id") && $0.description.contains("tests are missing") }, "\(d.diagnostics)")
        #expect(!d.partialResults.isEmpty, "counts and rates are of the tests read")
        let local = CatalogLoader.load(sources: [f.local])
        let le = try local.run(matching: try #require(both.row.runID))
        #expect(d.results.count < RunLoader.load(le).results.count, "rows of both agent types overwrote each other")
        #expect(d.diagnostics.contains { $0.description.contains("of the \(both.row.totalTests ?? -1) tests") }, "\(d.diagnostics)")
    }

    @Test func aTraceByIDIsOneDocumentGetNotAScan() throws {
        let f = try Fixture()
        let c = f.load()
        let local = CatalogLoader.load(sources: [f.local])
        let le = try #require(local.runs.first { $0.files.traces != nil })
        let id = try #require(RunAnalysis(entry: le, data: RunLoader.load(le)).tests.compactMap(\.trace).first?.traceID)
        let before = f.server.log.count
        let m = try TraceFinder.find(TraceIDs.display(id), in: c, wholeRun: false)
        #expect(m.summary.traceID == id)
        let log = Array(f.server.log.dropFirst(before))
        #expect(log.contains { $0.hasPrefix("GET /smoltrace-traces-") && $0.contains("/_doc/") }, "\(log)")
        #expect(!log.contains { $0.contains("traces") && $0.contains("_search") }, "no traces index was scanned: \(log)")
        let lm = try TraceFinder.find(id, in: local, wholeRun: false)
        #expect(m.trace?.spans.count == lm.trace?.spans.count && m.summary.tokens == lm.summary.tokens)
    }

    @Test func dottedKeysExpandedByTheStoreAreFlattenedBack() throws {
        let f = try Fixture()
        f.server.expandDottedKeys = true
        let c = f.load()
        let local = CatalogLoader.load(sources: [f.local])
        let le = try #require(local.runs.first { $0.files.traces != nil })
        let oe = try c.run(matching: try #require(le.row.runID))
        let a = RunAnalysis(entry: oe, data: RunLoader.load(oe)), b = RunAnalysis(entry: le, data: RunLoader.load(le))
        #expect(RunTotals(a).tokens == RunTotals(b).tokens && RunTotals(a).tokens != nil)
        #expect(RunTotals(a).cost == RunTotals(b).cost && RunTotals(a).outcomes == RunTotals(b).outcomes)
        #expect(a.tests.map(\.trace?.tokens) == b.tests.map(\.trace?.tokens))
    }

    @Test func cancelledReadsLeaveNothingAndUnchangedCopiesKeepTheirIdentity() throws {
        let f = try Fixture()
        let client = f.client()
        var notes: [Diagnostic] = []
        #expect(throws: RemoteFetchError.self) {
            _ = try client.fetch("smoltrace-leaderboard", progress: nil, isCancelled: { true }, notes: &notes)
        }
        #expect(f.partials().isEmpty)
        let path = try client.fetch("smoltrace-leaderboard", progress: nil, isCancelled: nil, notes: &notes)
        let first = try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date
        Thread.sleep(forTimeInterval: 0.05)
        _ = try client.fetch("smoltrace-leaderboard", progress: nil, isCancelled: nil, notes: &notes)
        #expect(try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date == first, "the same bytes: the copy is left as it was")
        // Unreachable later: the copy read before, with a note.
        f.server.stop()
        let again = f.client()
        var n2: [Diagnostic] = []
        #expect(try again.fetch("smoltrace-leaderboard", progress: nil, isCancelled: nil, notes: &n2) == path)
        #expect(n2.contains { $0.severity == .note && $0.description.contains("using the copy read before") })
    }
}
