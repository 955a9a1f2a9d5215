import CCurl
import Dispatch
import FoundationEssentials
import TraceMindFormats

#if canImport(Glibc)
    import Glibc
#endif

/// The final response of one request (after redirects): status and headers (names lower-cased).
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: [String: String]
    /// Bytes of the body received.
    public var bodySize = 0
    public init(status: Int, headers: [String: String], bodySize: Int = 0) {
        self.status = status
        self.headers = headers
        self.bodySize = bodySize
    }
    public func header(_ name: String) -> String? { headers[name.lowercased()] }
}

/// A request that got no complete answer: the connection failed, or broke off after the response began.
public struct HTTPTransportError: Error, Sendable {
    public enum Kind: Sendable { case unreachable, tls, other }
    public var message: String
    /// A status line had arrived: the transfer was interrupted rather than never started.
    public var hadResponse: Bool
    /// This side stopped it (the server broke a limit): not a network problem, a cached copy is no remedy.
    public var refused = false
    /// The class of the failure: the server could not be reached, the TLS handshake or verification failed, other.
    public var kind = Kind.other
}

/// TLS settings of a request: the CA file to verify against (else the system's), or no verification at all.
public struct TLSOptions: Sendable, Equatable {
    public var caFile: String?
    public var insecure: Bool
    public init(caFile: String? = nil, insecure: Bool = false) {
        self.caFile = caFile
        self.insecure = insecure
    }
}

/// HTTP(S) requests for the remote sources (the Hub, OpenSearch).
///
/// On Linux this drives libcurl through the `CCurl` shim, which opens it the first time a request is made:
/// Foundation's URLSession (FoundationNetworking) or a linked libcurl would put libcurl and its ~30 dependent
/// libraries (TLS, Kerberos, LDAP, …) on the start-up path of every `tracemind` command, about 12 ms of dynamic
/// linking before the first line of a report, though only remote sources ever make a request. A machine without
/// libcurl still runs everything else and is told what to install when it asks for a remote source.
public enum HTTP {
    /// Below this many bytes a second for `timeout` seconds, a transfer is given up (a server that trickles).
    public static let lowSpeedFloor = 1024

    /// GETs `url` with `headers` (`Name: value`), following redirects. See `request`.
    public static func get(
        _ url: String, headers: [String], timeout: TimeInterval, maxBytes: Int, sink: ((UnsafeRawBufferPointer) -> Void)?
    ) throws(HTTPTransportError) -> (body: Data, response: HTTPResponse) {
        try request("GET", url, headers: headers, body: nil, timeout: timeout, maxBytes: maxBytes, tls: TLSOptions(), sink: sink)
    }

    /// One request. The body of a 2xx answer goes to `sink` when one is given, chunk by chunk; any other body is
    /// returned in memory. `timeout` bounds connecting and any stretch of `timeout` seconds under `lowSpeedFloor`
    /// bytes a second, not the length of a download. `maxBytes` is a hard cap on the body: a `Content-Length` above
    /// it, or a body that runs past it, ends the transfer. Only a GET without a body follows redirects.
    public static func request(
        _ method: String, _ url: String, headers: [String], body: Data?, timeout: TimeInterval, maxBytes: Int, tls: TLSOptions,
        sink: ((UnsafeRawBufferPointer) -> Void)? = nil
    ) throws(HTTPTransportError) -> (body: Data, response: HTTPResponse) {
        guard let u = URL(string: url), let scheme = u.scheme?.lowercased(), scheme == "http" || scheme == "https" else {
            throw HTTPTransportError(message: "not a valid http(s) URL", hadResponse: false)
        }
        // A header value that carries a line break would smuggle in headers of its own.
        guard !headers.contains(where: { $0.containsText("\r") || $0.containsText("\n") }) else {
            throw HTTPTransportError(message: "a request header holds a line break (check the token or credentials)", hadResponse: false)
        }
        #if os(Linux)
            return try Curl.request(method, url, headers: headers, body: body, timeout: timeout, maxBytes: maxBytes, tls: tls, sink: sink)
        #else
            return try FoundationTransfer.request(method, u, headers: headers, body: body, timeout: timeout, maxBytes: maxBytes, tls: tls, sink: sink)
        #endif
    }
}

/// What one transfer has received so far; the libcurl callbacks reach it through their user-data pointer.
final class TransferState {
    var status = 0
    var headers: [String: String] = [:]
    var body = Data()
    let sink: ((UnsafeRawBufferPointer) -> Void)?
    let maxBytes: Int
    /// Body bytes of the current response so far.
    var received = 0
    /// Why the transfer was stopped by this side (a body over the cap), if it was.
    var refused: String?
    init(sink: ((UnsafeRawBufferPointer) -> Void)?, maxBytes: Int) {
        self.sink = sink
        self.maxBytes = maxBytes
    }

    /// One header line. A status line (`HTTP/1.1 302 Found`, `HTTP/2 200`) starts a new response: a redirect's or a
    /// proxy's headers are dropped, so the headers kept are the final response's.
    /// False when the transfer must stop: the final response announces a body over the cap.
    func headerLine(_ raw: UnsafeRawBufferPointer) -> Bool {
        guard raw.count < 65_536, headers.count < 200 else {
            refused = "the server sent oversized headers"
            return false
        }
        let line = String(decoding: raw, as: UTF8.self).trimmingBlanksAndNewlines()
        if line.hasPrefix("HTTP/") {
            let parts = line.split(separator: " ", maxSplits: 2)
            status = parts.count >= 2 ? Int(parts[1]) ?? 0 : 0
            headers = [:]
            body = Data()
            received = 0
            return true
        }
        guard let colon = line.firstIndex(of: ":") else { return true }
        let name = line[..<colon].trimmingBlanks().lowercased()
        let value = line[line.index(after: colon)...].trimmingBlanks()
        headers[name] = headers[name].map { $0 + ", " + value } ?? value
        if name == "content-length", !(300..<400).contains(status), let n = Int(value), n > maxBytes {
            refused = "the server announced \(n) bytes where at most \(maxBytes) were expected"
            return false
        }
        return true
    }

    /// False when the transfer must stop: the body ran past the cap.
    func bodyChunk(_ raw: UnsafeRawBufferPointer) -> Bool {
        received += raw.count
        if received > maxBytes {
            refused = "the server sent more than the \(maxBytes) bytes expected"
            return false
        }
        if let sink, (200..<300).contains(status) { sink(raw) } else { body.append(contentsOf: raw) }
        return true
    }
}

#if os(Linux)
    /// libcurl through the `CCurl` shim, which opens it on first use (see `ccurl.h` for why it is not linked).
    enum Curl {
        static func request(
            _ method: String, _ url: String, headers: [String], body: Data?, timeout: TimeInterval, maxBytes: Int, tls: TLSOptions,
            sink: ((UnsafeRawBufferPointer) -> Void)?
        ) throws(HTTPTransportError) -> (body: Data, response: HTTPResponse) {
            if let why = tm_http_open() { throw HTTPTransportError(message: String(cString: why), hadResponse: false) }
            let state = TransferState(sink: sink, maxBytes: maxBytes)
            let seconds = max(1, Int(timeout.rounded(.up)))
            let onHeader: tm_http_chunk = { p, n, user in
                guard let p, let user else { return 0 }
                return Unmanaged<TransferState>.fromOpaque(user).takeUnretainedValue().headerLine(UnsafeRawBufferPointer(start: p, count: n)) ? 1 : 0
            }
            let onBody: tm_http_chunk = { p, n, user in
                guard let p, let user else { return 0 }
                return Unmanaged<TransferState>.fromOpaque(user).takeUnretainedValue().bodyChunk(UnsafeRawBufferPointer(start: p, count: n)) ? 1 : 0
            }
            var status = 0
            var klass: Int32 = 0
            var message = [CChar](repeating: 0, count: 512)
            let payload = body ?? Data()
            let code: Int32 = withExtendedLifetime(state) {
                let user = Unmanaged.passUnretained(state).toOpaque()
                let cHeaders = headers.map { strdup($0) }
                defer { cHeaders.forEach { free($0) } }
                return cHeaders.map { UnsafePointer($0) }.withUnsafeBufferPointer { list in
                    payload.withUnsafeBytes { raw in
                        // A body of no bytes still needs a non-NULL pointer to be sent as one.
                        let bytes = body == nil ? nil : (raw.baseAddress?.assumingMemoryBound(to: CChar.self) ?? UnsafePointer<CChar>(bitPattern: 1)).map { UnsafePointer($0) }
                        return tm_http_request(
                            method, url, list.baseAddress, Int32(list.count), bytes, payload.count, seconds, HTTP.lowSpeedFloor,
                            tls.caFile, tls.insecure ? 1 : 0, onHeader, onBody, user, &status, &klass, &message, message.count)
                    }
                }
            }
            if let refused = state.refused { throw HTTPTransportError(message: refused, hadResponse: true, refused: true) }
            if code != 0 {
                let kind: HTTPTransportError.Kind = klass == 1 ? .unreachable : klass == 2 ? .tls : .other
                throw HTTPTransportError(
                    message: String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self), hadResponse: state.status > 0,
                    kind: kind)
            }
            return (state.body, HTTPResponse(status: status > 0 ? status : state.status, headers: state.headers, bodySize: state.received))
        }
    }
#else
    /// Elsewhere URLSession is part of Foundation and costs nothing at start-up.
    enum FoundationTransfer {
        static func request(
            _ method: String, _ url: URL, headers: [String], body: Data?, timeout: TimeInterval, maxBytes: Int, tls: TLSOptions,
            sink: ((UnsafeRawBufferPointer) -> Void)?
        ) throws(HTTPTransportError) -> (body: Data, response: HTTPResponse) {
            var req = URLRequest(url: url, timeoutInterval: timeout)
            req.httpMethod = method
            req.httpBody = body
            for h in headers {
                guard let i = h.firstIndex(of: ":") else { continue }
                req.setValue(h[h.index(after: i)...].trimmingBlanks(), forHTTPHeaderField: String(h[..<i]))
            }
            let config = URLSessionConfiguration.ephemeral
            config.timeoutIntervalForRequest = timeout
            config.urlCache = nil
            config.requestCachePolicy = .reloadIgnoringLocalCacheData
            let delegate = Delegate(TransferState(sink: sink, maxBytes: maxBytes))
            let session = URLSession(configuration: config, delegate: delegate, delegateQueue: nil)
            session.dataTask(with: req).resume()
            delegate.done.wait()
            session.finishTasksAndInvalidate()
            if let refused = delegate.state.refused { throw HTTPTransportError(message: refused, hadResponse: true, refused: true) }
            if let e = delegate.error {
                throw HTTPTransportError(message: e.localizedDescription, hadResponse: delegate.state.status > 0)
            }
            return (delegate.state.body, HTTPResponse(status: delegate.state.status, headers: delegate.state.headers, bodySize: delegate.state.received))
        }

        final class Delegate: NSObject, URLSessionDataDelegate, @unchecked Sendable {
            let state: TransferState
            var error: Error?
            let done = DispatchSemaphore(value: 0)
            init(_ state: TransferState) { self.state = state }

            func urlSession(
                _ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                completionHandler: @escaping (URLSession.ResponseDisposition) -> Void
            ) {
                if let http = response as? HTTPURLResponse {
                    state.status = http.statusCode
                    for (k, v) in http.allHeaderFields { state.headers["\(k)".lowercased()] = "\(v)" }
                }
                completionHandler(.allow)
            }

            func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
                if !data.withUnsafeBytes({ state.bodyChunk($0) }) { dataTask.cancel() }
            }

            func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
                self.error = error
                done.signal()
            }
        }
    }
#endif
