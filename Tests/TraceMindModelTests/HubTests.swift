import Foundation
import TestSupport
import Testing
import TraceMindDemo
import TraceMindFixtures
import TraceMindFormats
@testable import TraceMindHTTP
@testable import TraceMindHub
@testable import TraceMindModel
import TraceMindReport

/// `hf://` sources against a loopback server with the Hub's URL layout, serving the generator's runs as Hub repos.
@Suite(.serialized) struct HubTests {
    final class Fixture {
        let dir = tempDir()
        let server: HubServer
        var serve: String { dir + "/serve" }
        var cache: String { dir + "/cache" }
        init() throws {
            for (p, d) in HubLayout.convert(DemoGenerator().files()) { write(d, to: dir + "/serve/" + p) }
            server = try HubServer(root: dir + "/serve")
            server.token = "secret"
        }
        func client(token: String? = "secret", endpoint: String? = nil, offline: Bool = false, timeout: TimeInterval = 10) -> HubClient {
            HubClient(endpoint: endpoint ?? server.endpoint, token: token, cacheRoot: cache, offline: offline, timeout: timeout)
        }
        /// Partial downloads anywhere under the fixture (none may survive).
        func partials() -> [String] {
            (FileManager.default.enumerator(atPath: dir)?.allObjects as? [String] ?? []).filter { $0.hasSuffix(".part") }
        }
        /// Files under the cache, relative, data and partial files only.
        func cached() -> [String] {
            (FileManager.default.enumerator(atPath: cache)?.allObjects as? [String] ?? []).filter { $0.hasSuffix(".parquet") || $0.hasSuffix(".part") }.sorted()
        }
        deinit {
            server.stop()
            removeTemp(dir)
        }
    }

    static let board = "hf://demo-user/smoltrace-leaderboard"

    @Test func leaderboardFirstThenEachRunOnDemand() throws {
        let f = try Fixture()
        f.server.pageSize = 1  // every listing is paged: follows Link rel="next"
        let c = CatalogLoader.load(sources: [Self.board], hub: f.client())
        #expect(c.diagnostics.isEmpty, "\(c.diagnostics)")
        #expect(c.runs.count == 5)
        #expect(c.runs.allSatisfy { $0.source == Self.board })
        #expect(f.cached() == ["datasets/demo-user/smoltrace-leaderboard/data/train-00000-of-00001.parquet"])
        #expect(!f.server.log.contains { $0.contains("smoltrace-results") }, "no run dataset is fetched before a run opens")

        let entry = try c.run(matching: "7f3c")
        #expect(entry.files.results?.hasPrefix("hf://demo-user/smoltrace-results-") == true)
        let data = RunLoader.load(entry)
        #expect(data.diagnostics.isEmpty, "\(data.diagnostics)")
        #expect(!data.results.isEmpty && !data.traces.isEmpty)
        let fetched = Set(f.server.log.filter { $0.contains("/resolve/") }.compactMap { $0.split(separator: "/").dropFirst(2).first.map(String.init) })
        #expect(fetched.count == 4, "the leaderboard and this run's three datasets: \(fetched)")
        #expect(f.server.log.filter { $0.hasPrefix("/cdn/") }.count == 4, "each Parquet file came by its redirect: \(f.server.log)")

        // The same run read from a local copy of the Hub layout gives the same report.
        let local = CatalogLoader.load(sources: [f.serve + "/demo-user"])
        let le = try local.run(matching: "7f3c")
        let a = RunAnalysis(entry: entry, data: data), b = RunAnalysis(entry: le, data: RunLoader.load(le))
        #expect(Reports.run(a, format: .csv) == Reports.run(b, format: .csv))
        // A trace loads lazily from the cached Parquet.
        let t = try #require(a.tests.compactMap(\.trace).first)
        #expect(try RunLoader.loadTrace(t, fs: entry.files.fs).spans.count > 3)
    }

    @Test func cacheIsReusedOfflineAndRefreshed() throws {
        let f = try Fixture()
        _ = CatalogLoader.load(sources: [Self.board], hub: f.client())
        let downloads = f.server.log.filter { $0.contains("/resolve/") }.count
        // Unchanged files are not downloaded again.
        _ = CatalogLoader.load(sources: [Self.board], hub: f.client())
        #expect(f.server.log.filter { $0.contains("/resolve/") }.count == downloads)
        // The Hub unreachable: the cached copy, with a note saying so.
        let port = f.server.endpoint
        f.server.stop()
        let c = CatalogLoader.load(sources: [Self.board], hub: f.client(endpoint: port))
        #expect(c.runs.count == 5)
        #expect(c.diagnostics.count == 1 && c.diagnostics[0].severity == .note && c.diagnostics[0].message.contains("cached copy"), "\(c.diagnostics)")
        let off = CatalogLoader.load(sources: [Self.board], hub: f.client(offline: true))
        #expect(off.runs.count == 5 && off.diagnostics.first?.message.contains("offline") == true)
        // Offline with nothing cached: one clear error.
        let none = CatalogLoader.load(sources: ["hf://demo-user/smoltrace-results-nothing"], hub: f.client(endpoint: port))
        #expect(none.runs.isEmpty)
        #expect(none.diagnostics.count == 1 && none.diagnostics[0].message.contains("cannot reach") && none.diagnostics[0].message.contains("no complete cached copy"), "\(none.diagnostics)")
    }

    @Test func httpErrorsGiveOneClearMessageEach() throws {
        let f = try Fixture()
        func message(_ client: HubClient, _ src: String = Self.board) -> String {
            let c = CatalogLoader.load(sources: [src], hub: client)
            #expect(c.runs.isEmpty && c.diagnostics.count == 1, "\(c.diagnostics)")
            return c.diagnostics.first?.description ?? ""
        }
        let noToken = message(f.client(token: nil))
        #expect(noToken.contains("401") && noToken.contains("HF_TOKEN") && noToken.contains(Self.board), "\(noToken)")
        #expect(message(f.client(token: "wrong")).contains("refused"))
        f.server.forbidden = ["demo-user/smoltrace-leaderboard"]
        #expect(message(f.client()).contains("403"))
        f.server.forbidden = []
        let missing = message(f.client(), "hf://demo-user/no-such-repo")
        #expect(missing.contains("404") && missing.contains("hf://demo-user/no-such-repo"), "\(missing)")
        f.server.rateLimited = true
        let limited = message(f.client())
        #expect(limited.contains("429") && limited.contains("retry after 30"), "\(limited)")
        f.server.rateLimited = false
        #expect(message(f.client(), "hf://not a repo").contains("hf://user/repo"))
        #expect(f.cached().isEmpty)
    }

    @Test func interruptedDownloadsLeaveNothingHalfWritten() throws {
        let f = try Fixture()
        f.server.truncateDownloads = true
        let c = CatalogLoader.load(sources: [Self.board], hub: f.client())
        #expect(c.runs.isEmpty)
        #expect(c.diagnostics.count == 1 && (c.diagnostics[0].message.contains("interrupted") || c.diagnostics[0].message.contains("ended after")), "\(c.diagnostics)")
        #expect(f.cached().isEmpty, "\(f.cached())")
        // A run whose datasets fail to download: the error is the run's, the leaderboard stays.
        f.server.truncateDownloads = false
        let ok = CatalogLoader.load(sources: [Self.board], hub: f.client())
        f.server.truncateDownloads = true
        let data = RunLoader.load(try ok.run(matching: "7f3c"))
        #expect(data.results.isEmpty && data.diagnostics.contains { $0.path.hasPrefix("hf://demo-user/smoltrace-results-") })
        #expect(!f.cached().contains { $0.contains("results") || $0.hasSuffix(".part") }, "\(f.cached())")
    }

    @Test func findingATraceDownloadsOnlyTheTracesOfTheRunThatHasIt() throws {
        let f = try Fixture()
        let c = CatalogLoader.load(sources: [Self.board], hub: f.client())
        let local = CatalogLoader.load(sources: [f.serve + "/demo-user"])
        let a = RunAnalysis(entry: try local.run(matching: "7f3c"), data: RunLoader.load(try local.run(matching: "7f3c")))
        let id = try #require(a.tests.compactMap(\.trace).last?.traceID)
        let m = try TraceFinder.find(id, in: c)
        #expect(m.run.row.runID == a.entry.row.runID && m.summary.traceID == id)
        let tracesFetched = Set(f.server.log.filter { $0.contains("/resolve/") && $0.contains("smoltrace-traces-") }
            .compactMap { $0.split(separator: "/").dropFirst(2).first.map(String.init) })
        // That run's traces, and those of runs whose results name no trace (the oldest era's): not every run's.
        // That run's traces, not those of the other runs whose results name their traces.
        func repo(_ e: RunEntry) -> String { String(e.files.traces!.split(separator: "/").last!) }
        let others = c.runs.filter { $0.files.traces != nil && $0.key != m.run.key && !(RunLoader.resultTraceIDs($0) ?? []).isEmpty }
        #expect(others.count >= 2, "the fixture has other runs whose results name their traces")
        #expect(tracesFetched.contains(repo(m.run)))
        #expect(others.allSatisfy { !tracesFetched.contains(repo($0)) }, "\(tracesFetched)")
        // A trace no result row names is still found, by searching the rest.
        #expect(throws: TraceFinder.FindError.self) { try TraceFinder.find("ffffffffffffffffffffffffffffffff", in: c) }
    }

    @Test func responseHeadersAreTheFinalResponsesAndTokensCannotSmuggleHeaders() throws {
        let t = TransferState(sink: nil, maxBytes: 1 << 20)
        for line in ["HTTP/1.1 302 Found\r\n", "Location: /cdn/x\r\n", "Link: <a>; rel=\"next\"\r\n", "\r\n",
            "HTTP/2 429 \r\n", "retry-after:  30 \r\n", "Vary: a\r\n", "Vary: b\r\n", "\r\n"] {
            #expect(Array(line.utf8).withUnsafeBytes { t.headerLine($0) })
        }
        #expect(t.status == 429)
        #expect(t.headers == ["retry-after": "30", "vary": "a, b"], "a redirect's headers are dropped: \(t.headers)")
        #expect(HTTPResponse(status: 429, headers: t.headers).header("Retry-After") == "30")

        let f = try Fixture()
        let c = CatalogLoader.load(sources: [Self.board], hub: f.client(token: "secret\r\nX-Evil: 1"))
        #expect(c.runs.isEmpty && c.diagnostics.first?.message.contains("line break") == true, "\(c.diagnostics)")
        #expect(f.server.log.isEmpty, "nothing was sent")
    }

    @Test func theModelNeverReadsTheEnvironmentForAClient() {
        let c = CatalogLoader.load(sources: [Self.board])
        #expect(c.runs.isEmpty && c.diagnostics.first?.message == "no Hub client was given to read hf:// sources", "\(c.diagnostics)")
    }

    @Test func configurationFromTheEnvironment() throws {
        let dir = tempDir()
        defer { removeTemp(dir) }
        write("file-token\n", to: dir + "/hf/token")
        let a = HubClient.fromEnvironment(["HOME": dir, "HF_HOME": dir + "/hf", "XDG_CACHE_HOME": dir + "/xdg", "HF_ENDPOINT": "http://127.0.0.1:9/"])
        #expect(a.token == "file-token" && a.endpoint == "http://127.0.0.1:9" && a.cacheRoot == dir + "/xdg/tracemind/hub")
        let b = HubClient.fromEnvironment(["HOME": dir, "HF_HOME": dir + "/hf", "HF_TOKEN": "env-token"])
        #expect(b.token == "env-token" && b.endpoint == "https://huggingface.co" && b.cacheRoot == dir + "/.cache/tracemind/hub")
        write("path-token", to: dir + "/elsewhere")
        #expect(HubClient.fromEnvironment(["HOME": dir, "HF_TOKEN_PATH": dir + "/elsewhere"]).token == "path-token")
        write("default-token", to: dir + "/.cache/huggingface/token")
        #expect(HubClient.fromEnvironment(["HOME": dir]).token == "default-token")
        #expect(HubClient.fromEnvironment(["HOME": dir, "HF_HUB_OFFLINE": "1"]).offline)
        #expect(HubPath.repo("hf://user/repo") == "user/repo" && HubPath.repo("hf://datasets/user/repo") == "user/repo")
        #expect(HubPath.repo("hf://user/../x") == nil && HubPath.repo("hf://user") == nil)
        #expect(HubClient.nextLink("<http://h/api?cursor=2>; rel=\"next\"") == "http://h/api?cursor=2")
    }

    /// An endpoint is trimmed of the blanks `CharacterSet.whitespaces` holds, and only of those (Foundation trims it
    /// only when an end is blank), then of its trailing slashes.
    @Test func anEndpointIsTrimmedAsFoundationTrimsIt() {
        for e in ["https://h.example", " https://h.example/ ", "\thttps://h.example//", "\u{3000}https://h.example\u{A0}", "\nhttps://h.example\n", "x\u{200B}", ""] {
            var expected = e.trimmingCharacters(in: .whitespaces)
            while expected.hasSuffix("/") { expected.removeLast() }
            #expect(HubClient(endpoint: e, token: nil, cacheRoot: "/nonexistent").endpoint == expected, "\(Array(e.unicodeScalars))")
        }
    }

    /// The token file is read when the token is first asked for (a request's), not when the client is made: a local
    /// catalog, which makes a client at every start, reads no file; an empty token is none.
    @Test func theTokenFileIsReadWhenTheTokenIsFirstAskedFor() throws {
        let dir = tempDir()
        defer { removeTemp(dir) }
        let client = HubClient.fromEnvironment(["HOME": dir, "HF_TOKEN_PATH": dir + "/later"])
        write("  written-after  \n", to: dir + "/later")
        #expect(client.token == "written-after")
        write("changed", to: dir + "/later")
        #expect(client.token == "written-after", "read once")
        #expect(HubClient.fromEnvironment(["HOME": dir, "HF_TOKEN": ""]).token == nil)
        #expect(HubClient(endpoint: "http://h", token: "", cacheRoot: dir).token == nil)
    }
}
