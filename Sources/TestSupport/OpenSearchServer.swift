import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A loopback HTTP server that speaks the part of the OpenSearch REST API that SMOLTRACE's exporter writes with and
/// that TraceMind reads with, held in memory, for tests (and, through `tracemind-opensearch-loopback`, for a run of
/// SMOLTRACE's own exporter):
/// - `GET /`, `HEAD /` (cluster info); `HEAD|GET|PUT /_index_template/NAME`;
/// - `HEAD|PUT|DELETE /INDEX`, `POST /INDEX/_refresh`, `GET /INDEX/_count`, `GET /_cat/indices[/PATTERN*]?format=json`;
/// - `POST /_bulk` and `POST /INDEX/_bulk` (NDJSON `index`/`create` actions), `PUT|POST /INDEX/_doc[/ID]`,
///   `GET|DELETE /INDEX/_doc/ID`;
/// - `POST|GET /INDEX/_search` (`size`, `from` within a 10,000-hit window, `sort` on `_doc`/`_shard_doc`,
///   `search_after`, `match_all`/`ids` queries, `?scroll=`), `POST /_search/scroll`, `DELETE /_search/scroll`;
/// - point in time: `POST /INDEX/_search/point_in_time`, searches with `pit`, `DELETE /_search/point_in_time`.
/// Documents come back in `_source` byte for byte as indexed. It can demand credentials (basic or API key), forbid
/// indexes, turn point in time or the `_shard_doc` sort off, expand dotted attribute keys into objects (a store
/// written by another client), and answer chosen requests with an injected fault.
public final class OpenSearchServer: @unchecked Sendable {
    public private(set) var port: UInt16 = 0
    public var endpoint: String { "http://127.0.0.1:\(port)" }
    /// `opensearch://127.0.0.1:PORT` (the default prefix).
    public var source: String { "opensearch://127.0.0.1:\(port)" }

    /// A response given instead of the real one to requests whose `METHOD /path?query` contains `match`.
    public struct Fault: Sendable {
        public var match: String
        public var status: Int
        public var body: String
        public var headers: [String: String]
        /// How many matching requests get it (nil: all).
        public var times: Int?
        /// How many matching requests are answered as usual first.
        public var after: Int
        public init(match: String, status: Int, body: String = "{}", headers: [String: String] = [:], times: Int? = nil, after: Int = 0) {
            self.match = match
            self.status = status
            self.body = body
            self.headers = headers
            self.times = times
            self.after = after
        }
    }

    struct Index {
        var mapping: Data
        var ids: [String] = []
        var sources: [String: Data] = [:]
    }

    private let lock = NSLock()
    private var indices: [String: Index] = [:]
    private var templates: [String: Data] = [:]
    private var pits: [String: [(String, Data)]] = [:]
    private var scrolls: [String: (docs: [(String, Data)], position: Int, size: Int)] = [:]
    private var faults: [Fault] = []
    private var _log: [String] = []
    private var listener: LoopbackListener?
    private var counter = 0

    /// `user:password` that requests must carry as basic auth (401 otherwise).
    public var basicAuth: (user: String, password: String)? {
        get { lock.withLock { _basicAuth } }
        set { lock.withLock { _basicAuth = newValue } }
    }
    private var _basicAuth: (user: String, password: String)?
    /// An API key that requests may carry instead (`Authorization: ApiKey KEY`).
    public var apiKey: String? {
        get { lock.withLock { _apiKey } }
        set { lock.withLock { _apiKey = newValue } }
    }
    private var _apiKey: String?
    /// Indexes answered with 403.
    public var forbidden: Set<String> {
        get { lock.withLock { _forbidden } }
        set { lock.withLock { _forbidden = newValue } }
    }
    private var _forbidden: Set<String> = []
    /// Point in time off: its endpoints answer 404 as an older server's do (readers fall back to scroll).
    public var pointInTime: Bool {
        get { lock.withLock { _pointInTime } }
        set { lock.withLock { _pointInTime = newValue } }
    }
    private var _pointInTime = true
    /// The `_shard_doc` sort off (400), as on servers that lack it.
    public var shardDocSort: Bool {
        get { lock.withLock { _shardDocSort } }
        set { lock.withLock { _shardDocSort = newValue } }
    }
    private var _shardDocSort = true
    /// `_source` of trace documents with dotted attribute keys expanded into nested objects.
    public var expandDottedKeys: Bool {
        get { lock.withLock { _expandDottedKeys } }
        set { lock.withLock { _expandDottedKeys = newValue } }
    }
    private var _expandDottedKeys = false
    /// Requests so far, as `METHOD /path` (no query strings, no bodies).
    public var log: [String] { lock.withLock { _log } }

    public func inject(_ fault: Fault) { lock.withLock { faults.append(fault) } }
    public func clearFaults() { lock.withLock { faults.removeAll() } }
    /// Every index's name.
    public var indexNames: [String] { lock.withLock { indices.keys.sorted() } }
    /// The `_id`s of an index, in the order written.
    public func ids(_ index: String) -> [String] { lock.withLock { indices[index]?.ids ?? [] } }
    /// A document's `_source` as indexed.
    public func source(_ index: String, _ id: String) -> Data? { lock.withLock { indices[index]?.sources[id] } }

    public init(port requested: UInt16 = 0) throws {
        listener = try LoopbackListener(port: requested) { [weak self] c in self?.serve(c) }
        port = listener!.port
    }

    public func stop() { listener?.stop() }

    deinit { stop() }

    // MARK: Connections

    struct Request {
        var method: String
        var path: String
        var query: [String: String]
        var headers: [String: String]
        var body: Data
    }

    struct Response {
        var status: Int
        var body: Data
        var headers: [String: String] = [:]
        init(_ status: Int, _ body: String, headers: [String: String] = [:]) {
            self.status = status
            self.body = Data(body.utf8)
            self.headers = headers
        }
        init(_ status: Int, data: Data) {
            self.status = status
            body = data
        }
    }

    /// Requests on one connection, kept alive until the client closes it.
    private func serve(_ c: Int32) {
        var pending = [UInt8]()
        var buf = [UInt8](repeating: 0, count: 65_536)
        while true {
            var headerEnd: Int?
            while headerEnd == nil {
                headerEnd = pending.headerEnd
                if headerEnd != nil { break }
                let n = recv(c, &buf, buf.count, 0)
                if n <= 0 { return }
                pending += buf[0..<n]
                if pending.count > 1 << 20 { return }
            }
            let head = String(decoding: pending[0..<headerEnd!], as: UTF8.self)
            pending.removeFirst(headerEnd! + 4)
            let lines = head.components(separatedBy: "\r\n")
            let parts = lines.first?.split(separator: " ") ?? []
            guard parts.count >= 2 else { return }
            var headers: [String: String] = [:]
            for l in lines.dropFirst() {
                guard let i = l.firstIndex(of: ":") else { continue }
                headers[l[..<i].lowercased()] = l[l.index(after: i)...].trimmingCharacters(in: .whitespaces)
            }
            var body = [UInt8]()
            if headers["transfer-encoding"]?.lowercased().contains("chunked") == true {
                // Chunks: size line, bytes, CRLF; a zero-size chunk ends the body.
                while true {
                    while pending.crlf == nil {
                        let n = recv(c, &buf, buf.count, 0)
                        if n <= 0 { return }
                        pending += buf[0..<n]
                    }
                    let line = pending.crlf!
                    let size = Int(String(decoding: pending[0..<line], as: UTF8.self).split(separator: ";")[0].trimmingCharacters(in: .whitespaces), radix: 16) ?? 0
                    pending.removeFirst(line + 2)
                    while pending.count < size + 2 {
                        let n = recv(c, &buf, buf.count, 0)
                        if n <= 0 { return }
                        pending += buf[0..<n]
                    }
                    body += pending[0..<size]
                    pending.removeFirst(size + 2)
                    if size == 0 { break }
                }
            } else {
                let length = Int(headers["content-length"] ?? "0") ?? 0
                guard length <= 512 << 20 else { return }
                while pending.count < length {
                    let n = recv(c, &buf, buf.count, 0)
                    if n <= 0 { return }
                    pending += buf[0..<n]
                }
                body = Array(pending[0..<length])
                pending.removeFirst(length)
            }
            let target = String(parts[1])
            let path = String(target.split(separator: "?", maxSplits: 1).first ?? "")
            var query: [String: String] = [:]
            if let q = target.split(separator: "?", maxSplits: 1).dropFirst().first {
                for kv in q.split(separator: "&") {
                    let p = kv.split(separator: "=", maxSplits: 1)
                    query[String(p[0])] = p.count > 1 ? String(p[1]).removingPercentEncoding ?? String(p[1]) : ""
                }
            }
            let req = Request(method: String(parts[0]), path: path, query: query, headers: headers, body: Data(body))
            let response = respond(req, target: target)
            let reason = [200: "OK", 201: "Created", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 429: "Too Many Requests"][response.status] ?? "Status"
            var out = "HTTP/1.1 \(response.status) \(reason)\r\nContent-Type: application/json; charset=UTF-8\r\nContent-Length: \(response.body.count)\r\n"
            for (k, v) in response.headers { out += "\(k): \(v)\r\n" }
            out += "\r\n"
            guard LoopbackListener.sendAll(c, Array(out.utf8)), req.method == "HEAD" || LoopbackListener.sendAll(c, Array(response.body)) else { return }
            if headers["connection"]?.lowercased() == "close" { return }
        }
    }


    // MARK: The API

    private func respond(_ r: Request, target: String) -> Response {
        lock.lock()
        defer { lock.unlock() }
        _log.append("\(r.method) \(r.path)")
        let line = "\(r.method) \(target)"
        if let i = faults.firstIndex(where: { line.contains($0.match) }), faults[i].after > 0 {
            faults[i].after -= 1
        } else if let i = faults.firstIndex(where: { line.contains($0.match) }) {
            let f = faults[i]
            if let t = f.times {
                if t <= 1 { faults.remove(at: i) } else { faults[i].times = t - 1 }
            }
            return Response(f.status, f.body, headers: f.headers)
        }
        if _basicAuth != nil || _apiKey != nil {
            let given = r.headers["authorization"] ?? ""
            let basic = _basicAuth.map { "Basic " + Data("\($0.user):\($0.password)".utf8).base64EncodedString() }
            let key = _apiKey.map { "ApiKey " + $0 }
            guard given == basic || given == key else {
                return Response(
                    401, #"{"error":{"type":"security_exception","reason":"missing authentication credentials"},"status":401}"#,
                    headers: ["WWW-Authenticate": "Basic realm=\"OpenSearch Security\""])
            }
        }
        let comps = r.path.split(separator: "/").map { String($0).removingPercentEncoding ?? String($0) }
        if let first = comps.first, !first.hasPrefix("_"), _forbidden.contains(first) {
            return Response(403, #"{"error":{"type":"security_exception","reason":"no permissions for [indices:data/read/search]"},"status":403}"#)
        }
        switch (r.method, comps.count) {
        case ("GET", 0), ("HEAD", 0):
            return Response(200, #"{"name":"loopback","cluster_name":"tracemind-test","version":{"distribution":"opensearch","number":"2.19.0"},"tagline":"The OpenSearch Project: https://opensearch.org/"}"#)
        default: break
        }
        let first = comps.first ?? ""
        switch first {
        case "_index_template" where comps.count == 2:
            switch r.method {
            case "HEAD", "GET": return templates[comps[1]] == nil ? Response(404, "{}") : Response(200, data: templates[comps[1]]!)
            case "PUT", "POST":
                templates[comps[1]] = r.body
                return Response(200, #"{"acknowledged":true}"#)
            default: return Response(405, "{}")
            }
        case "_bulk": return bulk(r, defaultIndex: nil)
        case "_cat" where comps.count >= 2 && comps[1] == "indices":
            let pattern = comps.count >= 3 ? comps[2] : "*"
            let items = indices.keys.sorted().filter { pattern == "*" || (pattern.hasSuffix("*") ? $0.hasPrefix(String(pattern.dropLast())) : $0 == pattern) }.map { "{\"index\":\(Self.quote($0)),\"docs.count\":\"\(indices[$0]!.ids.count)\",\"health\":\"green\",\"status\":\"open\"}" }
            return Response(200, "[" + items.joined(separator: ",") + "]")
        case "_search":
            if comps.count == 1 { return search(r, index: nil) }
            if comps[1] == "scroll" { return r.method == "DELETE" ? clearScroll(r) : scroll(r) }
            if comps[1] == "point_in_time" {
                guard _pointInTime else { return Self.noHandler(r) }
                if r.method == "DELETE" {
                    let ids = ((Self.json(r.body) as? [String: Any])?["pit_id"] as? [String]) ?? []
                    for id in ids { pits[id] = nil }
                    return Response(200, "{\"pits\":[" + ids.map { "{\"pit_id\":\(Self.quote($0)),\"successful\":true}" }.joined(separator: ",") + "]}")
                }
            }
            return Self.noHandler(r)
        case "":
            return Self.noHandler(r)
        default:
            break
        }
        guard !first.hasPrefix("_") else { return Self.noHandler(r) }
        let index = first
        if comps.count == 1 {
            switch r.method {
            case "HEAD", "GET": return indices[index] == nil ? Self.missing(index) : Response(200, "{\"\(index)\":{}}")
            case "PUT":
                if indices[index] != nil {
                    return Response(400, "{\"error\":{\"type\":\"resource_already_exists_exception\",\"reason\":\"index [\(index)] already exists\"},\"status\":400}")
                }
                indices[index] = Index(mapping: r.body)
                return Response(200, "{\"acknowledged\":true,\"shards_acknowledged\":true,\"index\":\(Self.quote(index))}")
            case "DELETE":
                guard indices.removeValue(forKey: index) != nil else { return Self.missing(index) }
                return Response(200, #"{"acknowledged":true}"#)
            default: return Response(405, "{}")
            }
        }
        switch comps[1] {
        case "_refresh": return indices[index] == nil ? Self.missing(index) : Response(200, #"{"_shards":{"total":1,"successful":1,"failed":0}}"#)
        case "_count": return indices[index].map { Response(200, "{\"count\":\($0.ids.count)}") } ?? Self.missing(index)
        case "_bulk": return bulk(r, defaultIndex: index)
        case "_doc", "_create":
            if r.method == "DELETE", comps.count == 3 {
                guard indices[index]?.sources.removeValue(forKey: comps[2]) != nil else { return Response(404, "{\"result\":\"not_found\"}") }
                indices[index]!.ids.removeAll { $0 == comps[2] }
                return Response(200, "{\"_index\":\(Self.quote(index)),\"_id\":\(Self.quote(comps[2])),\"result\":\"deleted\"}")
            }
            if r.method == "GET" || r.method == "HEAD" {
                guard comps.count == 3 else { return Response(405, "{}") }
                guard let idx = indices[index] else { return Self.missing(index) }
                guard let src = idx.sources[comps[2]] else {
                    return Response(404, "{\"_index\":\(Self.quote(index)),\"_id\":\(Self.quote(comps[2])),\"found\":false}")
                }
                return Response(200, data: Data("{\"_index\":\(Self.quote(index)),\"_id\":\(Self.quote(comps[2])),\"_version\":1,\"found\":true,\"_source\":".utf8) + shown(src, index: index) + Data("}".utf8))
            }
            guard r.method == "PUT" || r.method == "POST", Self.json(r.body) is [String: Any] else {
                return Response(400, #"{"error":{"type":"parse_exception","reason":"request body is required"},"status":400}"#)
            }
            let id = comps.count >= 3 ? comps[2] : nextID()
            let result = put(index, id: id, source: r.body)
            return Response(result == "created" ? 201 : 200, "{\"_index\":\(Self.quote(index)),\"_id\":\(Self.quote(id)),\"_version\":1,\"result\":\"\(result)\"}")
        case "_search":
            if comps.count == 3 && comps[2] == "point_in_time" {
                guard _pointInTime else { return Self.noHandler(r) }
                guard let idx = indices[index] else { return Self.missing(index) }
                let id = "pit-" + nextID()
                pits[id] = idx.ids.map { ($0, idx.sources[$0]!) }
                return Response(200, "{\"pit_id\":\(Self.quote(id)),\"_shards\":{\"total\":1,\"successful\":1,\"skipped\":0,\"failed\":0},\"creation_time\":\(Int(Date().timeIntervalSince1970 * 1000))}")
            }
            return search(r, index: index)
        default:
            return Self.noHandler(r)
        }
    }

    private func nextID() -> String {
        counter += 1
        return String(format: "%08x%012x", counter, UInt64.random(in: 0...0xFFFF_FFFF_FFFF))
    }

    /// Indexes or replaces a document; creates the index as OpenSearch does on first write.
    private func put(_ index: String, id: String, source: Data) -> String {
        if indices[index] == nil { indices[index] = Index(mapping: Data()) }
        let existed = indices[index]!.sources[id] != nil
        if !existed { indices[index]!.ids.append(id) }
        indices[index]!.sources[id] = source
        return existed ? "updated" : "created"
    }

    private func bulk(_ r: Request, defaultIndex: String?) -> Response {
        let lines = r.body.split(separator: 0x0A, omittingEmptySubsequences: true)
        var items: [String] = []
        var i = 0
        var errors = false
        while i < lines.count {
            guard let action = Self.json(Data(lines[i])) as? [String: Any], let (verb, meta) = action.first, let m = meta as? [String: Any] else {
                return Response(400, #"{"error":{"type":"illegal_argument_exception","reason":"Malformed action/metadata line"},"status":400}"#)
            }
            let index = (m["_index"] as? String) ?? defaultIndex ?? ""
            let id = (m["_id"] as? String) ?? (m["_id"] as? NSNumber)?.stringValue ?? nextID()
            if verb == "delete" {
                i += 1
                continue
            }
            guard i + 1 < lines.count else { break }
            let source = Data(lines[i + 1])
            i += 2
            if Self.json(source) as? [String: Any] == nil || index.isEmpty {
                errors = true
                items.append("{\"\(verb)\":{\"_index\":\(Self.quote(index)),\"_id\":\(Self.quote(id)),\"status\":400,\"error\":{\"type\":\"mapper_parsing_exception\",\"reason\":\"failed to parse\"}}}")
                continue
            }
            if verb == "create", indices[index]?.sources[id] != nil {
                errors = true
                items.append("{\"create\":{\"_index\":\(Self.quote(index)),\"_id\":\(Self.quote(id)),\"status\":409,\"error\":{\"type\":\"version_conflict_engine_exception\"}}}")
                continue
            }
            let result = put(index, id: id, source: source)
            items.append("{\"\(verb)\":{\"_index\":\(Self.quote(index)),\"_id\":\(Self.quote(id)),\"_version\":1,\"result\":\"\(result)\",\"status\":\(result == "created" ? 201 : 200)}}")
        }
        return Response(200, "{\"took\":1,\"errors\":\(errors),\"items\":[" + items.joined(separator: ",") + "]}")
    }

    /// One page: the documents after `search_after` (or from `from`), `size` of them, in the order written.
    private func search(_ r: Request, index: String?) -> Response {
        let body = (r.body.isEmpty ? [:] : Self.json(r.body) as? [String: Any]) ?? [:]
        let size = (body["size"] as? Int) ?? Int(r.query["size"] ?? "") ?? 10
        let from = (body["from"] as? Int) ?? 0
        if from + size > 10_000 {
            return Response(400, #"{"error":{"type":"illegal_argument_exception","reason":"Result window is too large, from + size must be less than or equal to: [10000]"},"status":400}"#)
        }
        var docs: [(String, Data)]
        var pitID: String?
        if let pit = body["pit"] as? [String: Any] {
            guard index == nil else { return Response(400, #"{"error":{"type":"illegal_argument_exception","reason":"[indices] cannot be used with point in time"},"status":400}"#) }
            guard let id = pit["id"] as? String, let snapshot = pits[id] else {
                return Response(404, #"{"error":{"type":"search_context_missing_exception","reason":"No search context found"},"status":404}"#)
            }
            docs = snapshot
            pitID = id
        } else {
            guard let index else { return Response(400, #"{"error":{"type":"action_request_validation_exception","reason":"no index"},"status":400}"#) }
            guard let idx = indices[index] else { return Self.missing(index) }
            docs = idx.ids.map { ($0, idx.sources[$0]!) }
        }
        if let q = body["query"] as? [String: Any], let ids = (q["ids"] as? [String: Any])?["values"] as? [String] {
            let wanted = Set(ids)
            docs = docs.filter { wanted.contains($0.0) }
        }
        var sorted = false
        if let sort = body["sort"] as? [Any] {
            for s in sort {
                let field = (s as? String) ?? (s as? [String: Any])?.keys.first ?? ""
                if field == "_shard_doc" && !_shardDocSort {
                    return Response(400, #"{"error":{"type":"query_shard_exception","reason":"No mapping found for [_shard_doc] in order to sort on"},"status":400}"#)
                }
                if field == "_doc" || field == "_shard_doc" { sorted = true }
            }
        }
        var start = from
        if let after = body["search_after"] as? [Any] {
            guard sorted, let n = (after.first as? NSNumber)?.intValue else {
                return Response(400, #"{"error":{"type":"illegal_argument_exception","reason":"search_after needs a sort"},"status":400}"#)
            }
            start = n + 1
        }
        if let keep = r.query["scroll"], !keep.isEmpty, index != nil {
            let id = "scroll-" + nextID()
            scrolls[id] = (docs, 0, size)
            return scrollPage(id)
        }
        let page = Array(docs.enumerated().dropFirst(start).prefix(size))
        return hitsResponse(page.map { ($0.offset, $0.element.0, $0.element.1) }, total: docs.count, index: index, extra: pitID.map { "\"pit_id\":\(Self.quote($0))," } ?? "")
    }

    private func scroll(_ r: Request) -> Response {
        guard let body = Self.json(r.body) as? [String: Any], let id = body["scroll_id"] as? String, scrolls[id] != nil else {
            return Response(404, #"{"error":{"type":"search_context_missing_exception","reason":"No search context found"},"status":404}"#)
        }
        return scrollPage(id)
    }

    private func scrollPage(_ id: String) -> Response {
        let s = scrolls[id]!
        let page = Array(s.docs.enumerated().dropFirst(s.position).prefix(s.size))
        scrolls[id]!.position += page.count
        return hitsResponse(page.map { ($0.offset, $0.element.0, $0.element.1) }, total: s.docs.count, index: nil, extra: "\"_scroll_id\":\(Self.quote(id)),")
    }

    private func clearScroll(_ r: Request) -> Response {
        let ids = ((Self.json(r.body) as? [String: Any])?["scroll_id"] as? [String]) ?? []
        for id in ids { scrolls[id] = nil }
        return Response(200, "{\"succeeded\":true,\"num_freed\":\(ids.count)}")
    }

    private func hitsResponse(_ page: [(Int, String, Data)], total: Int, index: String?, extra: String) -> Response {
        var out = Data("{\(extra)\"took\":1,\"timed_out\":false,\"hits\":{\"total\":{\"value\":\(total),\"relation\":\"eq\"},\"max_score\":null,\"hits\":[".utf8)
        for (i, hit) in page.enumerated() {
            if i > 0 { out.append(0x2C) }
            let name = index ?? indices.first { $0.value.sources[hit.1] != nil }?.key ?? ""
            out.append(contentsOf: Data("{\"_index\":\(Self.quote(name)),\"_id\":\(Self.quote(hit.1)),\"_score\":null,\"_source\":".utf8))
            out.append(shown(hit.2, index: name))
            out.append(contentsOf: Data(",\"sort\":[\(hit.0)]}".utf8))
        }
        out.append(contentsOf: Data("]}}".utf8))
        return Response(200, data: out)
    }

    /// A `_source` as indexed, or with the spans' dotted attribute keys expanded (`expandDottedKeys`).
    private func shown(_ source: Data, index: String) -> Data {
        guard _expandDottedKeys, var doc = Self.json(source) as? [String: Any], let spans = doc["spans"] as? [[String: Any]] else { return source }
        doc["spans"] = spans.map { span -> [String: Any] in
            var s = span
            if let a = s["attributes"] as? [String: Any] { s["attributes"] = Self.expand(a) }
            return s
        }
        return (try? JSONSerialization.data(withJSONObject: doc)) ?? source
    }

    static func expand(_ flat: [String: Any]) -> [String: Any] {
        var out: [String: Any] = [:]
        for (k, v) in flat {
            let parts = k.split(separator: ".").map(String.init)
            func insert(_ into: inout [String: Any], _ rest: ArraySlice<String>) {
                guard let head = rest.first else { return }
                if rest.count == 1 {
                    into[head] = v
                    return
                }
                var child = into[head] as? [String: Any] ?? [:]
                insert(&child, rest.dropFirst())
                into[head] = child
            }
            insert(&out, parts[...])
        }
        return out
    }

    static func missing(_ index: String) -> Response {
        Response(
            404,
            "{\"error\":{\"root_cause\":[{\"type\":\"index_not_found_exception\",\"reason\":\"no such index [\(index)]\"}],\"type\":\"index_not_found_exception\",\"reason\":\"no such index [\(index)]\",\"index\":\(quote(index))},\"status\":404}"
        )
    }

    static func noHandler(_ r: Request) -> Response {
        Response(400, "{\"error\":\"no handler found for uri [\(r.path)] and method [\(r.method)]\"}")
    }

    static func json(_ d: Data) -> Any? { try? JSONSerialization.jsonObject(with: d, options: [.fragmentsAllowed]) }

    static func quote(_ s: String) -> String {
        (try? String(decoding: JSONSerialization.data(withJSONObject: [s]), as: UTF8.self)).map { String($0.dropFirst().dropLast()) } ?? "\"\""
    }
}

extension [UInt8] {
    /// Where the blank line that ends the head is (the index of its `\r\n\r\n`).
    fileprivate var headerEnd: Int? {
        guard count >= 4 else { return nil }
        for i in 0...(count - 4) where self[i] == 13 && self[i + 1] == 10 && self[i + 2] == 13 && self[i + 3] == 10 { return i }
        return nil
    }
    fileprivate var crlf: Int? {
        guard count >= 2 else { return nil }
        for i in 0...(count - 2) where self[i] == 13 && self[i + 1] == 10 { return i }
        return nil
    }
}
