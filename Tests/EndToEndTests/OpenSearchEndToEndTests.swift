import Foundation
import TestSupport
import Testing
import TraceMindDemo
import TraceMindFixtures
import TraceMindFormats

/// The real binary reading `opensearch://` stores from a loopback OpenSearch server that the generator's runs were
/// written into as SMOLTRACE's exporter writes them; the same runs as Hub Parquet repositories on disk beside it.
@Suite(.serialized) struct OpenSearchEndToEndTests {
    static let password = "pw-Zq81-never-shown"

    final class Fixture {
        let dir = tempDir()
        let server: OpenSearchServer
        init(auth: Bool = true) throws {
            let files = DemoGenerator().files()
            server = try OpenSearchServer()
            try OpenSearchLayout.export(files, endpoint: server.endpoint)
            if auth { server.basicAuth = ("reader", OpenSearchEndToEndTests.password) }
            for (p, d) in HubLayout.convert(files) { write(d, to: dir + "/hub/" + p) }
            for (p, d) in files { write(d, to: dir + "/json/" + p) }
        }
        var hub: String { dir + "/hub/demo-user" }
        /// A report of the Parquet copy with its paths as the OpenSearch source's.
        func same(_ output: String, as src: String) -> String {
            output.replacingOccurrences(of: hub + "/smoltrace-leaderboard", with: src).replacingOccurrences(of: hub, with: src)
        }
        func env(password: String? = OpenSearchEndToEndTests.password) -> [String: String] {
            var e = ["XDG_CACHE_HOME": dir + "/cache", "HOME": dir, "NO_COLOR": "1", "OPENSEARCH_USER": "reader"]
            if let password { e["OPENSEARCH_PASSWORD"] = password }
            return e
        }
        func shell(_ args: String, password: String? = OpenSearchEndToEndTests.password) -> Subprocess.Result {
            let vars = env(password: password).map { "\($0.key)=\(TmuxSession.quote($0.value))" }.sorted().joined(separator: " ")
            return Subprocess.shell(
                "env -u OPENSEARCH_API_KEY -u OPENSEARCH_PASSWORD_FILE \(vars) \(TmuxSession.quote(tracemindBinary!)) \(args)", timeout: 60, mergeStderr: true)
        }
        deinit {
            server.stop()
            removeTemp(dir)
        }
    }

    @Test(.enabled(if: tracemindBinary != nil, "needs the built tracemind binary")) func everyReportFormatMatchesTheSameRunsFromParquet() throws {
        let f = try Fixture()
        let src = f.server.source
        for format in ["table", "json", "csv", "markdown"] {
            let os = f.shell("leaderboard \(src) -f \(format) -q")
            let pq = f.shell("leaderboard \(f.hub) -f \(format) -q")
            #expect(os.status == 0 && os.output.contains("gpt-4o"), "\(os.output)")
            // The failed run's row lacks total_cost_usd: absent in SMOLTRACE's dict (and so in OpenSearch), null in the
            // Parquet leaderboard (its columns are the union of every row's), which a table tells apart.
            func rows(_ s: String) -> [Substring] { s.split(separator: "\n").filter { format == "table" || format == "markdown" ? !$0.contains("claude-sonnet") : true } }
            #expect(rows(os.output) == rows(f.same(pq.output, as: src)), "\(format)")
        }
        for cmd in ["run --run 7f3c -f json", "run --run gpu-qwen -f csv", "compare --run 7f3c --run gpu-qwen -f markdown", "card -f json", "analytics -f csv"] {
            let os = f.shell("\(cmd) \(src) -q"), pq = f.shell("\(cmd) \(f.hub) -q")
            #expect(os.status == 0, "\(cmd): \(os.output)")
            // (A card says when it was made: to the second, so the two may differ there.)
            func body(_ s: String) -> [Substring] { s.split(separator: "\n").filter { !$0.contains("\"made_at\"") } }
            #expect(body(os.output) == body(f.same(pq.output, as: src)), "\(cmd)")
        }
        // A trace by id: one document GET on its run's traces index.
        let ids = f.shell("run --run 7f3c -f json \(src) -q").output
        let traceID = try #require(ids.range(of: #""trace_id": "(0x[0-9a-f]+)""#, options: .regularExpression).map { String(ids[$0].split(separator: "\"")[2]) })
        let before = f.server.log.count
        let t = f.shell("trace --trace \(traceID) \(src) -f json -q")
        #expect(t.status == 0 && t.output.contains(traceID), "\(t.output)")
        #expect(f.server.log.dropFirst(before).contains { $0.contains("/_doc/") }, "\(f.server.log.dropFirst(before))")
        // Its spans as SMOLTRACE wrote them (attribute order too, which Parquet's union of columns does not keep).
        let js = f.shell("trace --trace \(traceID) \(f.dir)/json -f json -q").output
        #expect(t.output == js.replacingOccurrences(of: f.dir + "/json/smoltrace_results/openai_gpt-4o_tool_20261102_090000", with: src))
        // Mixed with a local source: both stores' runs, each listed once.
        let mixed = f.shell("leaderboard \(src) \(f.dir)/hub -f csv")
        #expect(mixed.status == 0 && mixed.output.contains("the same run"), "\(mixed.output)")
    }

    @Test(.enabled(if: tracemindBinary != nil, "needs the built tracemind binary")) func errorsAreOneLineAndNeverShowThePassword() throws {
        let f = try Fixture()
        let src = f.server.source
        let wrong = f.shell("leaderboard \(src)", password: "wrong-" + Self.password)
        #expect(wrong.status == 1 && wrong.output.contains("not authorised (HTTP 401)"), "\(wrong.output)")
        #expect(!wrong.output.contains(Self.password))
        let inURL = f.shell("leaderboard opensearch://reader:\(Self.password)@127.0.0.1:\(f.server.port)")
        #expect(inURL.status == 1 && inURL.output.contains("credentials do not go in an OpenSearch URL"), "\(inURL.output)")
        #expect(!inURL.output.contains(Self.password))
        let remote = f.shell("leaderboard opensearch://192.0.2.7:9200")
        #expect(remote.status == 1 && remote.output.contains("refusing a non-loopback OpenSearch"), "\(remote.output)")
        f.server.inject(.init(match: "point_in_time", status: 429, headers: ["Retry-After": "9"]))
        let limited = f.shell("leaderboard \(src) \(f.hub) -f csv")
        #expect(limited.status == 0 && limited.output.contains("rate limited (HTTP 429); retry after 9 s"), "the Parquet runs still load: \(limited.output)")
        #expect(limited.output.split(separator: "\n").filter { $0.contains("429") }.count == 1)
        f.server.clearFaults()
        // The cache holds host and index names only.
        let cached = (FileManager.default.enumerator(atPath: f.dir + "/cache")?.allObjects as? [String]) ?? []
        #expect(!cached.isEmpty && !cached.contains { $0.contains("reader") || $0.contains(Self.password) }, "\(cached)")
        // A password file instead of the environment.
        write(Self.password + "\n", to: f.dir + "/pw")
        let viaFile = f.shell("leaderboard \(src) --opensearch-password-file \(f.dir)/pw -f csv -q", password: nil)
        #expect(viaFile.status == 0 && viaFile.output.contains("gpt-4o"), "\(viaFile.output)")
    }

    @Test(.enabled(if: TmuxSession.available && tracemindBinary != nil, "needs tmux and the built binary")) func browserReadsARunsIndexesWhenItOpens() throws {
        let bin = try #require(tracemindBinary)
        let f = try Fixture()
        let t = TmuxSession(command: "\(TmuxSession.quote(bin)) \(f.server.source) --no-prefetch", width: 110, height: 30, environment: f.env())
        defer { t.close() }
        #expect(t.waitFor("5 of 5 runs", seconds: 20).contains("5 of 5 runs"))
        let opened = f.server.log.count
        t.send("Enter")
        #expect(t.waitFor("counted once", seconds: 20).contains("Overview"))
        #expect(f.server.log.dropFirst(opened).contains { $0.contains("-results-") || $0.contains("_search") })
        t.send("q")
        #expect(t.waitFor("EXITED").contains("EXITED rc=0"))
    }
}

/// TLS against a real handshake: a loopback HTTPS server (Python's `ssl` with a certificate `openssl` makes for
/// 127.0.0.1) that answers every request with `{}`.
@Suite(.serialized) struct OpenSearchTLSTests {
    static let python = ["/usr/bin/python3", "/usr/local/bin/python3"].first { FileManager.default.isExecutableFile(atPath: $0) }
    static let openssl = ["/usr/bin/openssl", "/usr/local/bin/openssl"].first { FileManager.default.isExecutableFile(atPath: $0) }

    @Test(.enabled(if: tracemindBinary != nil && python != nil && openssl != nil, "needs the built binary, python3 and openssl"))
    func verificationUsesTheSystemsCAsOrTheGivenFileOrNone() throws {
        let dir = tempDir()
        defer { removeTemp(dir) }
        let made = Subprocess.shell(
            "\(Self.openssl!) req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 -keyout \(dir)/key.pem -out \(dir)/cert.pem",
            timeout: 30, mergeStderr: true)
        try #require(made.status == 0, "\(made.output)")
        write(
            """
            import http.server, ssl, sys
            class H(http.server.BaseHTTPRequestHandler):
                def answer(self):
                    n = int(self.headers.get('Content-Length') or 0)
                    if n: self.rfile.read(n)
                    self.send_response(200); self.send_header('Content-Type', 'application/json'); self.send_header('Content-Length', '2'); self.end_headers()
                    self.wfile.write(b'{}')
                do_GET = do_POST = do_PUT = do_DELETE = answer
                def log_message(self, *a): pass
            s = http.server.ThreadingHTTPServer(('127.0.0.1', 0), H)
            c = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); c.load_cert_chain(sys.argv[1], sys.argv[2])
            s.socket = c.wrap_socket(s.socket, server_side=True)
            open(sys.argv[3] + '.tmp', 'w').write(str(s.server_address[1]))
            import os; os.rename(sys.argv[3] + '.tmp', sys.argv[3])
            s.serve_forever()
            """, to: dir + "/server.py")
        let server = Process()
        server.executableURL = URL(fileURLWithPath: Self.python!)
        server.arguments = [dir + "/server.py", dir + "/cert.pem", dir + "/key.pem", dir + "/port"]
        server.standardOutput = FileHandle.nullDevice
        server.standardError = FileHandle.nullDevice
        try server.run()
        defer {
            // SIGKILL: a child of the test process may have SIGTERM blocked (the signal tests' mask is inherited).
            kill(server.processIdentifier, SIGKILL)
            server.waitUntilExit()
        }
        var port: Int?
        for _ in 0..<200 where port == nil {
            port = (try? String(contentsOfFile: dir + "/port", encoding: .utf8)).flatMap { Int($0) }
            if port == nil { Thread.sleep(forTimeInterval: 0.05) }
        }
        let p = try #require(port, "the server wrote its port")
        func run(_ extra: String) -> Subprocess.Result {
            Subprocess.shell(
                "env XDG_CACHE_HOME=\(dir)/cache HOME=\(dir) NO_COLOR=1 \(TmuxSession.quote(tracemindBinary!)) leaderboard opensearchs://127.0.0.1:\(p) \(extra)",
                timeout: 60, mergeStderr: true)
        }
        let unverified = run("")
        #expect(unverified.status == 1 && unverified.output.contains("TLS failure") && unverified.output.contains("--opensearch-ca"), "\(unverified.output)")
        // Verified against the given CA: the handshake succeeds and the `{}` answers are named as malformed.
        let withCA = run("--opensearch-ca \(dir)/cert.pem")
        #expect(withCA.status == 1 && withCA.output.contains("malformed response") && !withCA.output.contains("TLS"), "\(withCA.output)")
        let insecure = run("--opensearch-insecure")
        #expect(insecure.output.contains("malformed response"), "\(insecure.output)")
        let missingCA = run("--opensearch-ca \(dir)/nope.pem")
        #expect(missingCA.status == 1 && missingCA.output.contains("cannot read the CA file"), "\(missingCA.output)")
    }
}
