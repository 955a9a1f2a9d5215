import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A loopback HTTP server that serves a folder with the Hugging Face Hub's URL layout, for tests:
/// `GET /api/datasets/USER/REPO/tree/main?recursive=true` lists `ROOT/USER/REPO` (paged, with `Link: rel="next"`),
/// `GET /datasets/USER/REPO/resolve/main/PATH` sends a file (a `.parquet` file by a redirect to `/cdn/USER/REPO/PATH`,
/// as the Hub does for large files). It can demand a token, refuse or hide repositories,
/// rate-limit, and cut downloads short.
public final class HubServer: @unchecked Sendable {
    public let root: String
    public private(set) var port: UInt16 = 0
    public var endpoint: String { "http://127.0.0.1:\(port)" }

    private let lock = NSLock()
    private var _token: String?
    private var _forbidden: Set<String> = []
    private var _rateLimited = false
    private var _truncateDownloads = false
    private var _downloadMode = DownloadMode.normal
    private var _pageSize = 1000
    private var _log: [String] = []
    private var listener: LoopbackListener?

    /// Requests must carry `Authorization: Bearer <token>` (401 otherwise).
    public var token: String? {
        get { lock.withLock { _token } }
        set { lock.withLock { _token = newValue } }
    }
    /// Repositories (`user/repo`) answered with 403.
    public var forbidden: Set<String> {
        get { lock.withLock { _forbidden } }
        set { lock.withLock { _forbidden = newValue } }
    }
    /// Every request answered with 429 and `Retry-After: 30`.
    public var rateLimited: Bool {
        get { lock.withLock { _rateLimited } }
        set { lock.withLock { _rateLimited = newValue } }
    }
    /// Downloads announce their full length, send half of it and close the connection.
    public var truncateDownloads: Bool {
        get { lock.withLock { _truncateDownloads } }
        set { lock.withLock { _truncateDownloads = newValue } }
    }
    /// How file bodies are sent (hostile servers).
    public enum DownloadMode: Sendable {
        case normal
        /// No Content-Length, and a body that does not end (until the client hangs up, or 2 GiB).
        case endless
        /// The right Content-Length, then 100 bytes every `seconds`.
        case trickle(seconds: Double)
        /// A Content-Length far above the listed size.
        case oversized
    }
    public var downloadMode: DownloadMode {
        get { lock.withLock { _downloadMode } }
        set { lock.withLock { _downloadMode = newValue } }
    }
    /// Entries per listing page.
    public var pageSize: Int {
        get { lock.withLock { _pageSize } }
        set { lock.withLock { _pageSize = newValue } }
    }
    /// The paths requested so far (without query strings).
    public var log: [String] { lock.withLock { _log } }

    public init(root: String) throws {
        self.root = root
        listener = try LoopbackListener { [weak self] c in self?.handle(c) }
        port = listener!.port
    }

    public func stop() { listener?.stop() }

    deinit { stop() }

    public struct ServerError: Error, CustomStringConvertible {
        public var description: String
        init(_ d: String) { description = d }
    }

    private func handle(_ c: Int32) {
        var request = [UInt8]()
        var buf = [UInt8](repeating: 0, count: 4096)
        while !request.containsHeaderEnd {
            let n = recv(c, &buf, buf.count, 0)
            if n <= 0 { return }
            request += buf[0..<n]
            if request.count > 65536 { return }
        }
        let text = String(decoding: request, as: UTF8.self)
        let lines = text.components(separatedBy: "\r\n")
        let parts = lines.first?.split(separator: " ") ?? []
        guard parts.count >= 2, parts[0] == "GET" else { return respond(c, 405, "method not allowed") }
        let target = String(parts[1])
        let path = target.split(separator: "?", maxSplits: 1).first.map(String.init) ?? target
        let query = target.contains("?") ? String(target.split(separator: "?", maxSplits: 1)[1]) : ""
        var headers: [String: String] = [:]
        for l in lines.dropFirst() {
            guard let i = l.firstIndex(of: ":") else { continue }
            headers[l[..<i].lowercased()] = l[l.index(after: i)...].trimmingCharacters(in: .whitespaces)
        }
        lock.withLock { _log.append(path) }
        let (token, forbidden, limited, truncate, pageSize) = lock.withLock { (_token, _forbidden, _rateLimited, _truncateDownloads, _pageSize) }
        if limited { return respond(c, 429, "{\"error\":\"rate limited\"}", extra: ["Retry-After": "30"]) }
        let comps = path.split(separator: "/").map { String($0).removingPercentEncoding ?? String($0) }
        // Like the Hub's content store: the redirect target of a large file is served without the token.
        if comps.count >= 4, comps[0] == "cdn" {
            let file = root + "/" + comps[1...].joined(separator: "/")
            guard let data = FileManager.default.contents(atPath: file) else { return respond(c, 404, "Entry not found") }
            return sendFile(c, data, truncate: truncate)
        }
        if let token, headers["authorization"] != "Bearer \(token)" { return respond(c, 401, "{\"error\":\"Invalid credentials\"}") }
        if comps.count >= 6, comps[0] == "api", comps[1] == "datasets", comps[4] == "tree", comps[5] == "main" {
            let repo = comps[2] + "/" + comps[3]
            if forbidden.contains(repo) { return respond(c, 403, "{\"error\":\"forbidden\"}") }
            let dir = root + "/" + repo
            guard FileManager.default.fileExists(atPath: dir) else { return respond(c, 404, "{\"error\":\"Repository not found\"}") }
            let entries = listing(dir)
            let cursor = query.split(separator: "&").compactMap { p -> Int? in p.hasPrefix("cursor=") ? Int(p.dropFirst(7)) : nil }.first ?? 0
            let page = Array(entries.dropFirst(cursor).prefix(pageSize))
            var extra: [String: String] = [:]
            if cursor + pageSize < entries.count {
                extra["Link"] = "<\(endpoint)/api/datasets/\(repo)/tree/main?recursive=true&cursor=\(cursor + pageSize)>; rel=\"next\""
            }
            let body = "[" + page.joined(separator: ",") + "]"
            return respond(c, 200, body, extra: extra)
        }
        if comps.count >= 6, comps[0] == "datasets", comps[3] == "resolve", comps[4] == "main" {
            let repo = comps[1] + "/" + comps[2]
            if forbidden.contains(repo) { return respond(c, 403, "forbidden") }
            let file = root + "/" + repo + "/" + comps[5...].joined(separator: "/")
            guard let data = FileManager.default.contents(atPath: file) else { return respond(c, 404, "Entry not found") }
            if file.hasSuffix(".parquet") {
                // The Hub answers a large (LFS) file with a redirect to its content store.
                let target = "/cdn/" + ([repo] + comps[5...]).joined(separator: "/")
                return respond(c, 302, "Found. Redirecting to \(target)", extra: ["Location": target])
            }
            return sendFile(c, data, truncate: truncate)
        }
        respond(c, 404, "not found")
    }

    private func sendFile(_ c: Int32, _ data: Data, truncate: Bool) {
        switch downloadMode {
        case .normal: break
        case .endless:
            LoopbackListener.sendAll(c, Array("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nConnection: close\r\n\r\n".utf8))
            let chunk = [UInt8](repeating: 0x41, count: 65_536)
            for _ in 0..<(1 << 15) where LoopbackListener.sendAll(c, chunk) {}
            return
        case .trickle(let seconds):
            LoopbackListener.sendAll(c, Array("HTTP/1.1 200 OK\r\nContent-Length: \(data.count)\r\nConnection: close\r\n\r\n".utf8))
            var off = 0
            while off < data.count {
                guard LoopbackListener.sendAll(c, Array(data[off..<min(off + 100, data.count)])) else { return }
                off += 100
                usleep(UInt32(seconds * 1_000_000))
            }
            return
        case .oversized:
            LoopbackListener.sendAll(c, Array("HTTP/1.1 200 OK\r\nContent-Length: \(data.count * 1000 + 1_000_000_000)\r\nConnection: close\r\n\r\n".utf8))
            LoopbackListener.sendAll(c, Array(data))
            return
        }
        let head = "HTTP/1.1 200 OK\r\nContent-Length: \(data.count)\r\nContent-Type: application/octet-stream\r\nConnection: close\r\n\r\n"
        LoopbackListener.sendAll(c, Array(head.utf8))
        LoopbackListener.sendAll(c, Array(truncate ? data.prefix(data.count / 2) : data))
    }

    private func listing(_ dir: String) -> [String] {
        var out: [String] = []
        let fm = FileManager.default
        let items = (fm.enumerator(atPath: dir)?.allObjects as? [String] ?? []).sorted()
        for rel in items {
            var isDir: ObjCBool = false
            _ = fm.fileExists(atPath: dir + "/" + rel, isDirectory: &isDir)
            let esc = rel.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            if isDir.boolValue {
                out.append("{\"type\":\"directory\",\"oid\":\"0\",\"size\":0,\"path\":\"\(esc)\"}")
            } else {
                let size = (try? fm.attributesOfItem(atPath: dir + "/" + rel))?[.size] as? Int ?? 0
                let oid = String(size, radix: 16)
                let lfs = rel.hasSuffix(".parquet") ? ",\"lfs\":{\"oid\":\"sha-\(oid)\",\"size\":\(size),\"pointerSize\":134}" : ""
                out.append("{\"type\":\"file\",\"oid\":\"\(oid)\",\"size\":\(size),\"path\":\"\(esc)\"\(lfs)}")
            }
        }
        return out
    }

    private func respond(_ c: Int32, _ status: Int, _ body: String, extra: [String: String] = [:]) {
        let reason = [200: "OK", 302: "Found", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed", 429: "Too Many Requests"][status] ?? "Error"
        var head = "HTTP/1.1 \(status) \(reason)\r\nContent-Length: \(body.utf8.count)\r\nContent-Type: application/json\r\nConnection: close\r\n"
        for (k, v) in extra { head += "\(k): \(v)\r\n" }
        LoopbackListener.sendAll(c, Array((head + "\r\n" + body).utf8))
    }

}

extension [UInt8] {
    fileprivate var containsHeaderEnd: Bool {
        guard count >= 4 else { return false }
        for i in 0...(count - 4) where self[i] == 13 && self[i + 1] == 10 && self[i + 2] == 13 && self[i + 3] == 10 { return true }
        return false
    }
}
