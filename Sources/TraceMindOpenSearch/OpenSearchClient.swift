import FoundationEssentials
import Glibc
import TraceMindFormats
import TraceMindHTTP
import TraceMindModel

/// Reads a SMOLTRACE store in OpenSearch (`opensearch://HOST[:PORT][/PREFIX]`) into local files that load like
/// SMOLTRACE's own JSON datasets: each index, paged whole (a point in time with `search_after`, else a scroll), to
/// `<cache>/<host>_<port>/<index>.json`, a JSON array of the documents' `_source`. Span attributes that came back as
/// nested objects are flattened to the dotted keys SMOLTRACE wrote. Written under a temporary name and renamed when
/// complete; a copy whose bytes did not change is left as it was (its analyses stay cached).
///
/// Credentials go in a header, never the URL, and appear in no message, path or process title.
public final class OpenSearchClient: RemoteDatasets, @unchecked Sendable {
    public let store: OpenSearchPath
    /// `Authorization: …` (never printed).
    let authorization: String?
    let tls: TLSOptions
    public let cacheRoot: String
    let timeout: TimeInterval
    /// Documents a page asks for: a trace document holds every span of a test (tens to hundreds of KB).
    var pageSize: (leaderboard: Int, other: Int, traces: Int) = (1000, 1000, 100)
    /// A response larger than this ends the read; an index larger than `maxIndexBytes` is not read further.
    let maxResponseBytes: Int
    let maxIndexBytes: Int
    /// Indexes already fetched by this process (a run opened twice is read once); the leaderboard is always read anew.
    private let lock = Lock()
    private var fetched: [String: String] = [:]

    public init(
        store: OpenSearchPath, credentials: OpenSearchCredentials, tls: TLSOptions, cacheRoot: String, timeout: TimeInterval = 30,
        maxResponseBytes: Int = 64 << 20, maxIndexBytes: Int = 4 << 30
    ) {
        self.store = store
        self.authorization = credentials.authorization
        self.tls = tls
        self.cacheRoot = cacheRoot
        self.timeout = timeout
        self.maxResponseBytes = maxResponseBytes
        self.maxIndexBytes = maxIndexBytes
    }

    // MARK: RemoteDatasets

    public func datasetID(_ reference: String) -> String? { store.index(of: reference) }
    public func reference(_ datasetID: String) -> String { store.base + "/" + datasetID }

    /// The folder of this cluster's copies: host and port only (no user name, no password).
    var folder: String {
        let safe = store.host.map { $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" ? String($0) : "_" }.joined()
        return PathUtil.appendingComponent(cacheRoot, "\(safe)_\(store.port)")
    }

    func localPath(_ index: String) -> String { PathUtil.appendingComponent(folder, index + ".json") }

    public func fetch(
        _ index: String, progress: (@Sendable (Double) -> Void)?, isCancelled: (@Sendable () -> Bool)?, notes: inout [Diagnostic]
    ) throws(RemoteFetchError) -> String {
        guard OpenSearchClient.isIndexName(index) else { throw RemoteFetchError(description: "not an OpenSearch index name") }
        let isLeaderboard = index == store.leaderboardIndex
        if !isLeaderboard, let done = lock.withLock({ fetched[index] }) { return done }
        let target = localPath(index)
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw RemoteFetchError(description: "cannot create the cache folder \(folder)")
        }
        CacheFiles.removeStalePartials(in: folder)
        let kind: IndexKind = isLeaderboard ? .leaderboard : index.hasPrefix(store.prefix + "-traces-") ? .traces
            : index.hasPrefix(store.prefix + "-results-") ? .results : .other
        do {
            try read(index, kind: kind, into: target, progress: progress, isCancelled: isCancelled, notes: &notes)
        } catch {
            if error.unreachable, FileManager.default.fileExists(atPath: target) {
                notes.append(Diagnostic(.note, path: reference(index), "\(error.message); using the copy read before"))
                return target
            }
            throw RemoteFetchError(description: error.message, missing: error.missing)
        }
        progress?(1)
        if !isLeaderboard { lock.withLock { fetched[index] = target } }
        return target
    }

    public func fetchTrace(_ ids: [String], of index: String, notes: inout [Diagnostic]) throws(RemoteFetchError) -> String? {
        guard OpenSearchClient.isIndexName(index) else { return nil }
        for id in ids where !id.isEmpty && id.utf8.count <= 512 {
            let got: (JSON, HTTPResponse)
            do {
                got = try call("GET", "/\(OpenSearchClient.encode(index))/_doc/\(OpenSearchClient.encode(id))", index: index, allow404: true)
            } catch {
                throw RemoteFetchError(description: error.message)
            }
            let (doc, response) = got
            if response.status == 404 {
                // No such index (a run that measured nothing): no trace of it here, whatever the spelling.
                if doc["error"]?["type"]?.text == "index_not_found_exception" { return nil }
                continue
            }
            guard doc["found"] == .bool(true), let source = doc["_source"], source.objectValue != nil else { continue }
            let dir = PathUtil.appendingComponent(folder, "traces-by-id")
            try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            let name = String(Hash64.of(index + "\u{1}" + id), radix: 16)
            let path = PathUtil.appendingComponent(dir, name + ".json")
            var bytes: [UInt8] = [0x5B, 0x0A]
            bytes += JSONWriter.bytes(OpenSearchDocuments.normalised(source), pretty: false)
            bytes += [0x0A, 0x5D, 0x0A]
            do { try CacheFiles.writeAtomically(Data(bytes), to: path) } catch { throw RemoteFetchError(description: "\(error)") }
            return path
        }
        return nil
    }

    public func listDatasets(prefix: String, notes: inout [Diagnostic]) -> [String]? {
        guard OpenSearchClient.isIndexName(prefix) else { return nil }
        do throws(Failure) {
            let (answer, _) = try call("GET", "/_cat/indices/\(OpenSearchClient.encode(prefix))*?format=json&h=index", index: nil)
            guard let rows = answer.arrayValue else { throw Failure(message: "malformed response: the index list is not a JSON list") }
            return rows.compactMap { $0["index"]?.text }.filter { $0.hasPrefix(prefix) && OpenSearchClient.isIndexName($0) }
        } catch {
            notes.append(Diagnostic(.note, path: store.description, "cannot list the store's indexes (\(error.message)): runs without a leaderboard row are not shown"))
            return nil
        }
    }

    // MARK: Reading an index

    enum IndexKind { case leaderboard, results, traces, other }

    struct Failure: Error {
        var message: String
        var unreachable = false
        /// The endpoint itself is unknown to this server (an older OpenSearch without point in time, say).
        var unsupported = false
        /// The index does not exist.
        var missing = false
        /// HTTP 403.
        var forbidden = false
    }

    /// Pages through every document of `index` into `target`: a point in time with `search_after` (OpenSearch's
    /// `_search/point_in_time`, else Elasticsearch's `_pit`), else a scroll. Never `from`/`size`, whose window stops
    /// at 10,000 hits; the count read is checked against the total the first page announces.
    func read(
        _ index: String, kind: IndexKind, into target: String, progress: (@Sendable (Double) -> Void)?, isCancelled: (@Sendable () -> Bool)?,
        notes: inout [Diagnostic]
    ) throws(Failure) {
        let out = try IndexWriter(target: target, maxBytes: maxIndexBytes)
        defer { out.discard() }
        var size = kind == .traces ? pageSize.traces : kind == .leaderboard ? pageSize.leaderboard : pageSize.other
        // Results whose `_id` is the task id (SMOLTRACE before 0.1.1), not the test case's uid.
        var keyedByTaskID = 0
        func take(_ hits: [JSON]) throws(Failure) {
            for hit in hits {
                guard let source = hit["_source"], source.objectValue != nil else { continue }
                if kind == .results, let id = hit["_id"]?.text, id == source["task_id"]?.text, source["test_case_uid"]?.text != id {
                    keyedByTaskID += 1
                }
                try out.append(OpenSearchDocuments.normalised(source))
            }
        }
        var total: Int?
        let tick = { (read: Int) in
            if let total, total > 0 { progress?(min(0.99, Double(read) / Double(total))) }
        }
        func cancelled() throws(Failure) { if isCancelled?() == true { throw Failure(message: "cancelled") } }

        var pit: (id: String, elastic: Bool)?
        do {
            pit = try openPointInTime(index)
        } catch let e where e.unsupported {
            pit = nil
        }
        if case (var pitID, let elastic)? = pit {
            defer { closePointInTime(pitID, elastic: elastic) }
            var sort: JSON = .array([.obj([("_shard_doc", "asc")])])
            var after: JSON?
            var first = true
            while true {
                try cancelled()
                var body: [(String, JSON)] = [
                    ("size", .int(Int64(size))), ("pit", .obj([("id", .string(pitID)), ("keep_alive", "2m")])), ("sort", sort),
                    ("track_total_hits", true),
                ]
                if let after { body.append(("search_after", after)) }
                let page: JSON, response: HTTPResponse
                do {
                    (page, response) = try call("POST", "/_search", index: index, body: .obj(body))
                } catch let e where first && e.unsupported {
                    // A server without the `_shard_doc` tiebreaker: index order (`_doc`) within the point in time.
                    guard sort != .array(["_doc"]) else { throw e }
                    sort = .array(["_doc"])
                    continue
                }
                first = false
                if let id = page["pit_id"]?.text ?? page["id"]?.text, !id.isEmpty { pitID = id }
                let hits = try OpenSearchClient.hits(page)
                if total == nil { total = OpenSearchClient.total(page) }
                try take(hits)
                tick(out.count)
                guard hits.count == size, let last = hits.last?["sort"], last.arrayValue?.isEmpty == false else { break }
                if last == after { throw Failure(message: "malformed response: the server sent the same page twice") }
                if let total, out.count > total + size { throw Failure(message: "malformed response: more documents than the \(total) announced") }
                after = last
                // Large documents (traces of long sessions): smaller pages keep each answer well under the cap.
                if response.bodySize > maxResponseBytes / 4, size > 1 { size /= 2 }
            }
        } else {
            // Scroll: every OpenSearch and Elasticsearch version has it.
            var page = try call("POST", "/\(OpenSearchClient.encode(index))/_search?scroll=2m", index: index, body: .obj([
                ("size", .int(Int64(size))), ("sort", .array(["_doc"])), ("track_total_hits", true),
            ])).0
            var scrollID = page["_scroll_id"]?.text
            defer { if let scrollID { closeScroll(scrollID) } }
            total = OpenSearchClient.total(page)
            var pages = 0
            while true {
                let hits = try OpenSearchClient.hits(page)
                try take(hits)
                tick(out.count)
                pages += 1
                guard !hits.isEmpty, let id = scrollID else { break }
                if let total, out.count >= total { break }
                if let total, out.count > total + size { throw Failure(message: "malformed response: more documents than the \(total) announced") }
                guard pages < 10_000_000 else { throw Failure(message: "malformed response: the scroll does not end") }
                try cancelled()
                page = try call("POST", "/_search/scroll", index: index, body: .obj([("scroll", "2m"), ("scroll_id", .string(id))])).0
                if let next = page["_scroll_id"]?.text { scrollID = next }
            }
        }
        if let total, out.count < total {
            notes.append(
                Diagnostic(
                    .warning, path: reference(index),
                    "read \(out.count) of the \(total) documents the index announced (it changed while it was read?): figures from it are partial"))
        }
        if kind == .results, keyedByTaskID > 0, keyedByTaskID == out.count {
            notes.append(
                Diagnostic(
                    .note, path: reference(index),
                    "results keyed by task_id (SMOLTRACE before 0.1.1): where a test ran for both agent types, the row written last replaced the other, so those tests are missing from this index"
                ))
        }
        try out.finish()
    }

    /// A point in time on `index`, or an `unsupported` failure (the reader then scrolls): neither OpenSearch's nor
    /// Elasticsearch's endpoint answers, or the credentials may search but not open one (a role without the
    /// point-in-time permission answers 403 there).
    func openPointInTime(_ index: String) throws(Failure) -> (id: String, elastic: Bool)? {
        do {
            let r = try call("POST", "/\(OpenSearchClient.encode(index))/_search/point_in_time?keep_alive=2m", index: index).0
            if let id = r["pit_id"]?.text, !id.isEmpty { return (id, false) }
        } catch let e where e.unsupported || e.forbidden {}
        do throws(Failure) {
            let r = try call("POST", "/\(OpenSearchClient.encode(index))/_pit?keep_alive=2m", index: index).0
            guard let id = r["id"]?.text, !id.isEmpty else { throw Failure(message: "malformed response: no point-in-time id", unsupported: true) }
            return (id, true)
        } catch let e where e.forbidden {
            throw Failure(message: e.message, unsupported: true)
        }
    }

    func closePointInTime(_ id: String, elastic: Bool) {
        _ = try? elastic
            ? call("DELETE", "/_pit", index: nil, body: .obj([("id", .string(id))]))
            : call("DELETE", "/_search/point_in_time", index: nil, body: .obj([("pit_id", .array([.string(id)]))]))
    }

    func closeScroll(_ id: String) {
        _ = try? call("DELETE", "/_search/scroll", index: nil, body: .obj([("scroll_id", .array([.string(id)]))]))
    }

    static func hits(_ page: JSON) throws(Failure) -> [JSON] {
        guard let hits = page["hits"]?["hits"]?.arrayValue else { throw Failure(message: "malformed response: a search answer without hits") }
        return hits
    }

    /// `hits.total` as `{"value": N, "relation": "eq"}` (a lower bound, `gte`, is no total) or a plain number.
    static func total(_ page: JSON) -> Int? {
        guard let t = page["hits"]?["total"] else { return nil }
        if let n = t.int { return n }
        guard t["relation"]?.text ?? "eq" == "eq" else { return nil }
        return t["value"]?.int
    }

    // MARK: Requests

    /// One request with the credentials; the answer parsed as JSON. HTTP errors become one clear message each.
    func call(_ method: String, _ path: String, index: String?, body: JSON? = nil, allow404: Bool = false) throws(Failure) -> (JSON, HTTPResponse) {
        var headers = ["User-Agent: tracemind", "Accept: application/json"]
        if body != nil { headers.append("Content-Type: application/json") }
        if let authorization { headers.append("Authorization: \(authorization)") }
        let got: (body: Data, response: HTTPResponse)
        do {
            got = try HTTP.request(
                method, store.endpoint + path, headers: headers, body: body.map { Data(JSONWriter.bytes($0, pretty: false)) }, timeout: timeout,
                maxBytes: maxResponseBytes, tls: tls)
        } catch {
            throw OpenSearchClient.transportFailure(error, store: store)
        }
        let status = got.response.status
        let parsed = try? JSONParser.parse(got.body)
        if (200..<300).contains(status) || (allow404 && status == 404) {
            guard let parsed else { throw Failure(message: "malformed response: the answer to \(method) \(OpenSearchClient.shape(path)) is not JSON") }
            return (parsed, got.response)
        }
        throw OpenSearchClient.statusFailure(status, parsed, index: index, retryAfter: got.response.header("Retry-After"), hasCredentials: authorization != nil)
    }

    static func transportFailure(_ error: HTTPTransportError, store: OpenSearchPath) -> Failure {
        if error.refused { return Failure(message: "refused: \(error.message)") }
        // A handshake that never completes (TLS spoken to a plain-HTTP port) ends as a timeout in curl's terms.
        let tls = error.kind == .tls || (!error.hadResponse && (error.message.containsText("SSL") || error.message.containsText("TLS")))
        switch tls ? .tls : error.kind {
        case .tls:
            return Failure(
                message: "TLS failure talking to \(store.hostPort) (\(error.message)); for a private CA pass --opensearch-ca FILE",
                unreachable: false)
        case .unreachable where !error.hadResponse:
            return Failure(message: "cannot reach \(store.endpoint) (\(error.message))", unreachable: true)
        default:
            return Failure(message: error.hadResponse ? "the transfer was interrupted (\(error.message))" : "cannot reach \(store.endpoint) (\(error.message))", unreachable: true)
        }
    }

    static func statusFailure(_ status: Int, _ body: JSON?, index: String?, retryAfter: String?, hasCredentials: Bool) -> Failure {
        let type = body?["error"]?["type"]?.text ?? body?["error"]?["root_cause"]?.arrayValue?.first?["type"]?.text
        switch status {
        case 401:
            return Failure(
                message: hasCredentials
                    ? "not authorised (HTTP 401): the credentials were refused; check OPENSEARCH_USER and OPENSEARCH_PASSWORD (or OPENSEARCH_API_KEY)"
                    : "not authorised (HTTP 401): the cluster needs credentials; set OPENSEARCH_USER and OPENSEARCH_PASSWORD (or --opensearch-password-file, or OPENSEARCH_API_KEY)")
        case 403:
            return Failure(message: "access denied (HTTP 403): these credentials may not read \(index.map { "the index \($0)" } ?? "this")", forbidden: true)
        case 404 where type == "index_not_found_exception":
            return Failure(message: "missing index \(index ?? "?") (HTTP 404)", missing: true)
        case 429:
            return Failure(message: "rate limited (HTTP 429)" + (retryAfter.map { "; retry after \($0.prefix(16)) s" } ?? "; try again later"))
        case 500...599:
            return Failure(message: "the cluster had a server error (HTTP \(status))\(type.map { ": \($0.prefix(80))" } ?? ""); try again later")
        case 400, 404, 405, 501:
            // An endpoint or a sort this server does not know (older OpenSearch, another compatible store).
            return Failure(message: "the cluster refused the request (HTTP \(status))\(type.map { ": \($0.prefix(80))" } ?? "")", unsupported: true)
        default:
            return Failure(message: "the cluster answered HTTP \(status)")
        }
    }

    /// A request path without its ids, for messages.
    static func shape(_ path: String) -> String {
        String(path.split(separator: "?").first ?? "").split(separator: "/").map { $0.hasPrefix("_") ? String($0) : "…" }.joined(separator: "/")
    }

    static func encode(_ s: String) -> String {
        s.percentEncoded(keeping: URLBytes.isUnreserved)
    }

    /// Lower-case, none of `\ / * ? " < > | , # :` or spaces, not `.`/`..`, not starting with `-`, `_` or `+`.
    static func isIndexName(_ s: String) -> Bool {
        !s.isEmpty && s.utf8.count <= 255 && s != "." && s != ".." && !s.hasPrefix("-") && !s.hasPrefix("_") && !s.hasPrefix("+")
            && s.unicodeScalars.allSatisfy { c in c.value > 0x20 && c.value < 0x7F && !"\\/*?\"<>| ,#:".unicodeScalars.contains(c) && !(65...90).contains(c.value) }
    }
}

/// The documents of one index, written as a JSON array to a temporary file and renamed onto the target when complete
/// (left as it was when the bytes are the same); a discarded writer leaves nothing.
final class IndexWriter {
    let target: String
    let temp: String
    let handle: FileDescriptor
    let maxBytes: Int
    private(set) var count = 0
    private var bytes = 0
    private var buffer: [UInt8] = [0x5B]
    private var slot: Int?
    private var done = false

    init(target: String, maxBytes: Int) throws(OpenSearchClient.Failure) {
        self.target = target
        self.maxBytes = maxBytes
        temp = CacheWrite.temporaryName(for: target)
        guard FileManager.default.createFile(atPath: temp, contents: nil), let h = FileDescriptor(forWritingAtPath: temp) else {
            throw OpenSearchClient.Failure(message: "cannot write in the cache folder \(PathUtil.deletingLastComponent(target))")
        }
        handle = h
        // Removed on every way out: errors, a signal that ends the process, or its exit.
        slot = PartialFiles.registry?.add(temp)
    }

    func append(_ doc: JSON) throws(OpenSearchClient.Failure) {
        buffer += count == 0 ? [0x0A] : [0x2C, 0x0A]
        buffer += JSONWriter.bytes(doc, pretty: false)
        count += 1
        if buffer.count >= 1 << 20 { try flush() }
    }

    private func flush() throws(OpenSearchClient.Failure) {
        bytes += buffer.count
        guard bytes <= maxBytes else { throw OpenSearchClient.Failure(message: "refused: the index holds more than the \(maxBytes) bytes expected") }
        do { try handle.write(contentsOf: buffer) } catch { throw OpenSearchClient.Failure(message: "cannot write the cache copy (disk full?)") }
        buffer.removeAll(keepingCapacity: true)
    }

    func finish() throws(OpenSearchClient.Failure) {
        buffer += [0x0A, 0x5D, 0x0A]
        try flush()
        handle.close()
        if IndexWriter.sameBytes(target, temp) {
            try? FileManager.default.removeItem(atPath: temp)
        } else if rename(temp, target) != 0 {
            throw OpenSearchClient.Failure(message: "cannot move the copy into the cache")
        }
        done = true
        if let slot { PartialFiles.registry?.remove(slot) }
        slot = nil
    }

    /// Whether two files hold the same bytes, read a megabyte at a time (an index copy may be gigabytes).
    static func sameBytes(_ a: String, _ b: String) -> Bool {
        let fs = LocalFileSystem()
        guard let n = fs.fileSize(a), n == fs.fileSize(b), let x = FileDescriptor(forReadingAtPath: a), let y = FileDescriptor(forReadingAtPath: b) else { return false }
        defer {
            x.close()
            y.close()
        }
        while true {
            let p = x.read(upToCount: 1 << 20), q = y.read(upToCount: 1 << 20)
            guard p == q else { return false }
            if (p?.isEmpty ?? true) { return true }
        }
    }

    func discard() {
        guard !done else { return }
        handle.close()
        try? FileManager.default.removeItem(atPath: temp)
        if let slot { PartialFiles.registry?.remove(slot) }
        slot = nil
        done = true
    }
}
