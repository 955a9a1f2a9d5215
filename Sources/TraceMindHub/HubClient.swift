import FoundationEssentials
import Glibc
import TraceMindFormats
import TraceMindHTTP
import TraceMindModel

/// One problem talking to the Hub, worded for the user.
public typealias HubError = RemoteFetchError

/// Lists and downloads Hub dataset repositories into a local cache laid out like the Hub
/// (`<cache>/datasets/user/repo/data/train-00000-of-00001.parquet`), so they load like local folders. Files are
/// written to a temporary name and renamed when complete: an interrupted download leaves nothing behind. When the
/// Hub cannot be reached, a complete cached copy is used.
public final class HubClient: RemoteDatasets {
    public let endpoint: String
    /// The token sent with each request (nil: none). Read when first asked for: a local catalog, which makes a client
    /// in case its rows point at the Hub, reads no token file.
    public var token: String? { tokenSource.value }
    private let tokenSource: LazyToken
    public let cacheRoot: String
    public let offline: Bool
    let timeout: TimeInterval
    /// The largest file downloaded when the listing gives no size, and the largest listing page.
    static let maxUnlistedBytes = 4 << 30
    static let maxListingBytes = 64 << 20

    public convenience init(endpoint: String, token: String?, cacheRoot: String, offline: Bool = false, timeout: TimeInterval = 30) {
        self.init(endpoint: endpoint, tokenSource: LazyToken { token }, cacheRoot: cacheRoot, offline: offline, timeout: timeout)
    }

    init(endpoint: String, tokenSource: LazyToken, cacheRoot: String, offline: Bool, timeout: TimeInterval) {
        var e = endpoint.trimmingBlanks()
        while e.hasSuffix("/") { e.removeLast() }
        self.endpoint = e
        self.tokenSource = tokenSource
        self.cacheRoot = cacheRoot
        self.offline = offline
        self.timeout = timeout
    }

    /// `HF_ENDPOINT` (default `https://huggingface.co`); the token from `HF_TOKEN` (or `HUGGING_FACE_HUB_TOKEN`), else
    /// the file `huggingface-cli login` writes (`HF_TOKEN_PATH`, `$HF_HOME/token`, `~/.cache/huggingface/token`); the
    /// cache under `$XDG_CACHE_HOME/tracemind/hub` (default `~/.cache`); `HF_HUB_OFFLINE=1` uses the cache only.
    public static func fromEnvironment(_ env: [String: String] = ProcessInfo.processInfo.environment) -> HubClient {
        let home = env["HOME"] ?? FileManager.default.homeDirectoryForCurrentUser.path
        let cache = env["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? PathUtil.join(home, ".cache")
        let given = env["HF_TOKEN"] ?? env["HUGGING_FACE_HUB_TOKEN"]
        let files = [env["HF_TOKEN_PATH"], PathUtil.join(env["HF_HOME"] ?? PathUtil.join(cache, "huggingface"), "token")].compactMap { $0 }
        let token = LazyToken {
            if let given, !given.isEmpty { return given }
            for p in files {
                if let t = try? String(contentsOfFile: p, encoding: .utf8) { return t.trimmingBlanksAndNewlines() }
            }
            return given
        }
        let offline = ["1", "true", "yes", "on"].contains((env["HF_HUB_OFFLINE"] ?? "").lowercased())
        return HubClient(
            endpoint: env["HF_ENDPOINT"].flatMap { $0.isEmpty ? nil : $0 } ?? "https://huggingface.co", tokenSource: token,
            cacheRoot: PathUtil.join(PathUtil.join(cache, "tracemind"), "hub"), offline: offline, timeout: 30)
    }

    /// The local folder of a repository's cached copy.
    public func localPath(_ repo: String) -> String {
        PathUtil.join(PathUtil.join(cacheRoot, "datasets"), repo)
    }

    struct RemoteFile: Codable, Equatable {
        var path: String
        var size: Int
        var oid: String
    }

    /// Brings the repository's data files into the cache and returns its local folder. `progress` gets the fraction
    /// of bytes downloaded. Notes (offline use of the cache) go to `notes`.
    public func fetch(
        _ repo: String, progress: (@Sendable (Double) -> Void)? = nil, isCancelled: (@Sendable () -> Bool)? = nil, notes: inout [Diagnostic]
    ) throws(HubError) -> String {
        let dir = localPath(repo)
        let manifestPath = PathUtil.join(dir, ".tracemind-manifest.json")
        let cached = (try? Data(contentsOf: URL(fileURLWithPath: manifestPath))).flatMap { try? JSONDecoder().decode([RemoteFile].self, from: $0) }
        func cachedCopy(_ why: String) throws(HubError) -> String {
            guard let cached, cached.allSatisfy({ complete($0, in: dir) }) else {
                throw HubError(description: "\(HubPath.scheme)\(repo): \(why)\(offline ? "" : "; no complete cached copy to use instead")")
            }
            notes.append(Diagnostic(.note, path: HubPath.scheme + repo, "\(why); using the cached copy"))
            return dir
        }
        if offline { return try cachedCopy("offline (HF_HUB_OFFLINE)") }
        let files: [RemoteFile]
        do {
            files = try list(repo)
        } catch {
            if error.isUnreachable { return try cachedCopy(error.message) }
            throw HubError(description: "\(HubPath.scheme)\(repo): \(error.message)")
        }
        if files.isEmpty {
            throw HubError(description: "\(HubPath.scheme)\(repo): the repository has no .parquet or .json data files")
        }
        do {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        } catch {
            throw HubError(description: "\(HubPath.scheme)\(repo): cannot create the cache folder \(dir)")
        }
        CacheFiles.removeStalePartials(in: dir)
        let manifest = PathUtil.join(dir, ".tracemind-manifest.json")
        let old = Dictionary((cached ?? []).map { ($0.path, $0) }, uniquingKeysWith: { a, _ in a })
        let todo = files.filter { f in !(old[f.path] == f && complete(f, in: dir)) }
        let total = max(1, todo.reduce(0) { $0 + max($1.size, 1) })
        var done = 0
        for f in todo {
            if isCancelled?() == true { throw HubError(description: "\(HubPath.scheme)\(repo): cancelled") }
            let base = done
            do {
                try download(repo, f, into: dir) { got in progress?(Double(base + min(got, max(f.size, 1))) / Double(total)) }
            } catch {
                if error.isUnreachable { return try cachedCopy(error.message) }
                throw HubError(description: "\(HubPath.scheme)\(repo)/\(f.path): \(error.message)")
            }
            done += max(f.size, 1)
        }
        // Files the repository no longer has would otherwise be read as shards.
        let keep = Set(files.map(\.path))
        for stale in (cached ?? []) where !keep.contains(stale.path) {
            try? FileManager.default.removeItem(atPath: PathUtil.join(dir, stale.path))
        }
        if let data = try? JSONEncoder().encode(files) { try? CacheFiles.writeAtomically(data, to: manifest) }
        progress?(1)
        return dir
    }

    func complete(_ f: RemoteFile, in dir: String) -> Bool {
        guard let size = (try? FileManager.default.attributesOfItem(atPath: PathUtil.join(dir, f.path)))?[.size] as? Int else { return false }
        return f.size < 0 || size == f.size
    }

    struct Failure: Error {
        var message: String
        var isUnreachable = false
    }

    /// The data files of the repository's main branch (`/api/datasets/{repo}/tree/main?recursive=true`, following
    /// `Link: rel="next"` pages).
    func list(_ repo: String) throws(Failure) -> [RemoteFile] {
        var url = "\(endpoint)/api/datasets/\(repo)/tree/main?recursive=true&expand=false"
        var out: [RemoteFile] = []
        var pages = 0
        while true {
            pages += 1
            guard pages <= 1000 else { throw Failure(message: "the file listing does not end") }
            let (body, response) = try request(url, maxBytes: HubClient.maxListingBytes, sink: nil)
            out += try HubClient.listingPage(body ?? Data())
            guard let next = HubClient.nextLink(response.header("Link")) else { break }
            url = next
        }
        return out.sorted { $0.path < $1.path }
    }

    /// The data files a listing page names (path and size), or why it is not a listing: for the fuzzers.
    public static func listedFiles(_ body: Data) -> Result<[(path: String, size: Int)], HubError> {
        do { return .success(try listingPage(body).map { ($0.path, $0.size) }) } catch { return .failure(error.error) }
    }

    /// The data files of one page of a listing: safe relative paths only (no `..`, no hidden or absolute paths).
    static func listingPage(_ body: Data) throws(Failure) -> [RemoteFile] {
        guard let items = try? JSONParser.parse(body).arrayValue else {
            throw Failure(message: "the Hub's file listing is not a JSON list")
        }
        var out: [RemoteFile] = []
        for it in items where it["type"]?.text == "file" {
            guard let p = it["path"]?.text, !p.hasPrefix("."), !p.hasPrefix("/"), !p.containsText("/."), !p.containsText(".."), !p.containsText("\\"),
                !p.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }),
                DatasetFiles.dataExtensions.contains(where: { p.lowercased().hasSuffix($0) })
            else { continue }
            let size = it["lfs"]?["size"]?.int ?? it["size"]?.int ?? -1
            out.append(RemoteFile(path: p, size: max(-1, size), oid: it["lfs"]?["oid"]?.text ?? it["oid"]?.text ?? ""))
        }
        return out
    }

    /// `<https://…?cursor=…>; rel="next"` → the URL.
    static func nextLink(_ header: String?) -> String? {
        guard let header else { return nil }
        for part in header.split(separator: ",") where part.containsText("rel=\"next\"") {
            guard let a = part.firstIndex(of: "<"), let b = part.firstIndex(of: ">"), a < b else { continue }
            return String(part[part.index(after: a)..<b])
        }
        return nil
    }

    func download(_ repo: String, _ f: RemoteFile, into dir: String, progress: @escaping @Sendable (Int) -> Void) throws(Failure) {
        let target = PathUtil.join(dir, f.path)
        let folder = PathUtil.dirname(target)
        do { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) } catch {
            throw Failure(message: "cannot create the cache folder \(folder)")
        }
        let temp = CacheWrite.temporaryName(for: target)
        guard FileManager.default.createFile(atPath: temp, contents: nil), let handle = FileDescriptor(forWritingAtPath: temp) else {
            throw Failure(message: "cannot write in the cache folder \(folder)")
        }
        // Removed on every way out: errors here, a signal that ends the process, or its exit.
        let slot = PartialFiles.registry?.add(temp)
        defer { if let slot { PartialFiles.registry?.remove(slot) } }
        let sink = FileSink(handle: handle, progress: progress)
        let encoded = f.path.split(separator: "/").map { $0.percentEncodedPath() }.joined(separator: "/")
        do throws(Failure) {
            _ = try request(
                "\(endpoint)/datasets/\(repo)/resolve/main/\(encoded)", maxBytes: f.size >= 0 ? f.size : HubClient.maxUnlistedBytes, sink: sink)
            handle.close()
            let got = sink.count
            if f.size >= 0 && got != f.size {
                throw Failure(message: "the download ended after \(got) of \(f.size) bytes", isUnreachable: false)
            }
            if FileManager.default.fileExists(atPath: target) { try? FileManager.default.removeItem(atPath: target) }
            guard rename(temp, target) == 0 else { throw Failure(message: "cannot move the download into the cache") }
        } catch {
            handle.close()
            try? FileManager.default.removeItem(atPath: temp)
            throw error
        }
    }

    /// One GET with the token; the body in memory or streamed to `sink`. HTTP errors become one clear message each.
    func request(_ url: String, maxBytes: Int, sink: FileSink?) throws(Failure) -> (Data?, HTTPResponse) {
        var headers = ["User-Agent: tracemind"]
        if let token { headers.append("Authorization: Bearer \(token)") }
        let got: (body: Data, response: HTTPResponse)
        do {
            got = try HTTP.get(url, headers: headers, timeout: timeout, maxBytes: maxBytes, sink: sink.map { s in { s.write(Data($0)) } })
        } catch {
            if error.refused { throw Failure(message: "download refused: \(error.message)") }
            if error.hadResponse {
                throw Failure(message: "the transfer was interrupted (\(error.message))", isUnreachable: true)
            }
            throw Failure(message: "cannot reach \(endpoint) (\(error.message))", isUnreachable: true)
        }
        let status = got.response.status
        guard (200..<300).contains(status) else {
            throw Failure(message: HubClient.statusMessage(status, retryAfter: got.response.header("Retry-After"), hasToken: token != nil))
        }
        return (got.body, got.response)
    }

    static func statusMessage(_ status: Int, retryAfter: String?, hasToken: Bool) -> String {
        switch status {
        case 401:
            return hasToken
                ? "not authorised (HTTP 401): the token was refused; check HF_TOKEN or run `huggingface-cli login` again"
                : "not authorised (HTTP 401): this dataset needs a token; set HF_TOKEN or run `huggingface-cli login`"
        case 403: return "access denied (HTTP 403): the token cannot read this dataset (private to another user, or gated)"
        case 404:
            return hasToken
                ? "not found (HTTP 404): no such dataset repository or file"
                : "not found (HTTP 404): no such dataset repository, or it is private and no token was given (set HF_TOKEN)"
        case 429: return "rate limited by the Hub (HTTP 429)" + (retryAfter.map { "; retry after \($0) s" } ?? "; try again later")
        case 500...599: return "the Hub had a server error (HTTP \(status)); try again later"
        default: return "the Hub answered HTTP \(status)"
        }
    }
}

extension HubClient.Failure {
    var error: HubError { HubError(description: message) }
}

/// A token read once, when first asked for, by whichever thread asks first (an empty one is none).
final class LazyToken: @unchecked Sendable {
    private let lock = Lock()
    private var read: (@Sendable () -> String?)?
    private var token: String?

    init(_ read: @escaping @Sendable () -> String?) { self.read = read }

    var value: String? {
        lock.withLock {
            if let r = read {
                token = r().flatMap { $0.isEmpty ? nil : $0 }
                read = nil
            }
            return token
        }
    }
}
