import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The final response of one GET (after redirects): status and headers (names lower-cased).
struct HTTPResponse: Sendable {
    var status: Int
    var headers: [String: String]
    func header(_ name: String) -> String? { headers[name.lowercased()] }
}

/// A GET that got no complete answer: the connection failed, or broke off after the response began.
struct HTTPTransportError: Error {
    var message: String
    /// A status line had arrived: the transfer was interrupted rather than never started.
    var hadResponse: Bool
    /// This side stopped it (the server broke a limit): not a network problem, a cached copy is no remedy.
    var refused = false
}

/// Plain HTTP(S) GETs for the Hub client.
///
/// On Linux this drives libcurl, opened with `dlopen` the first time a request is made: Foundation's URLSession
/// (FoundationNetworking) would put libcurl and its ~30 dependent libraries (TLS, Kerberos, LDAP, …) on the
/// start-up path of every `tracemind` command, about 10 ms of dynamic linking before the first line of a report,
/// though only `hf://` sources ever make a request. A machine without libcurl still runs everything else and is
/// told what to install when it asks for the Hub.
enum HTTP {
    /// Below this many bytes a second for `timeout` seconds, a transfer is given up (a server that trickles).
    static let lowSpeedFloor = 1024

    /// GETs `url` with `headers` (`Name: value`), following redirects. The body of a 2xx answer goes to `sink` when
    /// one is given, chunk by chunk; any other body is returned in memory. `timeout` bounds connecting and any
    /// stretch of `timeout` seconds under `lowSpeedFloor` bytes a second, not the length of a download. `maxBytes`
    /// is a hard cap on the body: a `Content-Length` above it, or a body that runs past it, ends the transfer.
    static func get(
        _ url: String, headers: [String], timeout: TimeInterval, maxBytes: Int, sink: ((UnsafeRawBufferPointer) -> Void)?
    ) throws(HTTPTransportError) -> (body: Data, response: HTTPResponse) {
        guard let u = URL(string: url), let scheme = u.scheme?.lowercased(), scheme == "http" || scheme == "https" else {
            throw HTTPTransportError(message: "not a valid http(s) URL: \(url)", hadResponse: false)
        }
        // A header value that carries a line break would smuggle in headers of its own.
        guard !headers.contains(where: { $0.contains("\r") || $0.contains("\n") }) else {
            throw HTTPTransportError(message: "a request header holds a line break (check HF_TOKEN)", hadResponse: false)
        }
        #if os(Linux)
            return try Curl.get(url, headers: headers, timeout: timeout, maxBytes: maxBytes, sink: sink)
        #else
            return try FoundationTransfer.get(u, headers: headers, timeout: timeout, maxBytes: maxBytes, sink: sink)
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
        let line = String(decoding: raw, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if line.hasPrefix("HTTP/") {
            let parts = line.split(separator: " ", maxSplits: 2)
            status = parts.count >= 2 ? Int(parts[1]) ?? 0 : 0
            headers = [:]
            body = Data()
            received = 0
            return true
        }
        guard let colon = line.firstIndex(of: ":") else { return true }
        let name = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
        let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
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
    /// The few libcurl entry points the client needs, looked up once with `dlsym`.
    ///
    /// `curl_easy_setopt` and `curl_easy_getinfo` are C variadic functions; they are called here through
    /// fixed-argument pointer types whose arguments are a pointer or a `long`, which the x86-64 and AArch64 Linux
    /// calling conventions pass exactly as the variadic call would.
    struct Curl: @unchecked Sendable {
        typealias Handle = OpaquePointer
        let easyInit: @convention(c) () -> Handle?
        let setPointer: @convention(c) (Handle?, Int32, UnsafeRawPointer?) -> Int32
        let setLong: @convention(c) (Handle?, Int32, Int) -> Int32
        let perform: @convention(c) (Handle?) -> Int32
        let infoLong: @convention(c) (Handle?, Int32, UnsafeMutablePointer<Int>?) -> Int32
        let cleanup: @convention(c) (Handle?) -> Void
        let strerror: @convention(c) (Int32) -> UnsafePointer<CChar>?
        let slistAppend: @convention(c) (OpaquePointer?, UnsafePointer<CChar>?) -> OpaquePointer?
        let slistFree: @convention(c) (OpaquePointer?) -> Void

        // Option numbers from curl.h (CURLOPTTYPE_LONG 0, OBJECTPOINT 10000, FUNCTIONPOINT 20000).
        static let optWriteData: Int32 = 10001, optURL: Int32 = 10002, optErrorBuffer: Int32 = 10010
        static let optHTTPHeader: Int32 = 10023, optHeaderData: Int32 = 10029
        static let optWriteFunction: Int32 = 20011, optHeaderFunction: Int32 = 20079
        static let optLowSpeedLimit: Int32 = 19, optLowSpeedTime: Int32 = 20, optFollowLocation: Int32 = 52
        static let optMaxRedirs: Int32 = 68, optConnectTimeout: Int32 = 78, optNoSignal: Int32 = 99
        static let optProtocols: Int32 = 181, optRedirProtocols: Int32 = 182
        static let protoHTTP = 1, protoHTTPS = 2
        static let infoResponseCode: Int32 = 0x20_0002
        static let globalAll = 3

        /// libcurl, or why it cannot be had; opened on first use (thread-safe: a global's initialiser runs once).
        static let shared: Result<Curl, HTTPTransportError> = open()

        static func open() -> Result<Curl, HTTPTransportError> {
            let names = ["libcurl.so.4", "libcurl-gnutls.so.4", "libcurl.so"]
            guard let lib = names.lazy.compactMap({ dlopen($0, RTLD_NOW | RTLD_LOCAL) }).first else {
                return .failure(
                    HTTPTransportError(
                        message: "reading from the Hub needs libcurl, which this machine lacks (Debian/Ubuntu: apt-get install libcurl4)",
                        hadResponse: false))
            }
            func sym<T>(_ name: String, _: T.Type) -> T? {
                dlsym(lib, name).map { unsafeBitCast($0, to: T.self) }
            }
            guard let globalInit = sym("curl_global_init", (@convention(c) (Int) -> Int32).self),
                let easyInit = sym("curl_easy_init", (@convention(c) () -> Handle?).self),
                let setPointer = sym("curl_easy_setopt", (@convention(c) (Handle?, Int32, UnsafeRawPointer?) -> Int32).self),
                let setLong = sym("curl_easy_setopt", (@convention(c) (Handle?, Int32, Int) -> Int32).self),
                let perform = sym("curl_easy_perform", (@convention(c) (Handle?) -> Int32).self),
                let infoLong = sym("curl_easy_getinfo", (@convention(c) (Handle?, Int32, UnsafeMutablePointer<Int>?) -> Int32).self),
                let cleanup = sym("curl_easy_cleanup", (@convention(c) (Handle?) -> Void).self),
                let strerror = sym("curl_easy_strerror", (@convention(c) (Int32) -> UnsafePointer<CChar>?).self),
                let slistAppend = sym("curl_slist_append", (@convention(c) (OpaquePointer?, UnsafePointer<CChar>?) -> OpaquePointer?).self),
                let slistFree = sym("curl_slist_free_all", (@convention(c) (OpaquePointer?) -> Void).self)
            else {
                return .failure(HTTPTransportError(message: "the libcurl on this machine lacks functions the Hub client needs", hadResponse: false))
            }
            guard globalInit(globalAll) == 0 else {
                return .failure(HTTPTransportError(message: "libcurl could not be initialised", hadResponse: false))
            }
            return .success(
                Curl(
                    easyInit: easyInit, setPointer: setPointer, setLong: setLong, perform: perform, infoLong: infoLong,
                    cleanup: cleanup, strerror: strerror, slistAppend: slistAppend, slistFree: slistFree))
        }

        static func get(
            _ url: String, headers: [String], timeout: TimeInterval, maxBytes: Int, sink: ((UnsafeRawBufferPointer) -> Void)?
        ) throws(HTTPTransportError) -> (body: Data, response: HTTPResponse) {
            let c: Curl
            switch shared {
            case .success(let x): c = x
            case .failure(let e): throw e
            }
            // What the handle points at outlives it: the handle is cleaned up first (defers run in reverse).
            let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: 512)
            errorBuffer.initialize(repeating: 0, count: 512)
            defer { errorBuffer.deallocate() }
            var list: OpaquePointer?
            for line in headers { list = line.withCString { c.slistAppend(list, $0) } }
            defer { c.slistFree(list) }
            guard let h = c.easyInit() else { throw HTTPTransportError(message: "libcurl could not start a transfer", hadResponse: false) }
            defer { c.cleanup(h) }
            let state = TransferState(sink: sink, maxBytes: maxBytes)
            let seconds = max(1, Int(timeout.rounded(.up)))
            let writeBody: @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int = { p, size, n, user in
                guard let p, let user else { return 0 }
                let ok = Unmanaged<TransferState>.fromOpaque(user).takeUnretainedValue().bodyChunk(UnsafeRawBufferPointer(start: p, count: size * n))
                return ok ? size * n : 0
            }
            let writeHeader: @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int = { p, size, n, user in
                guard let p, let user else { return 0 }
                let ok = Unmanaged<TransferState>.fromOpaque(user).takeUnretainedValue().headerLine(UnsafeRawBufferPointer(start: p, count: size * n))
                return ok ? size * n : 0
            }
            let code: Int32 = withExtendedLifetime(state) {
                let user = UnsafeRawPointer(Unmanaged.passUnretained(state).toOpaque())
                return url.withCString { u in
                    _ = c.setPointer(h, optURL, u)
                    _ = c.setLong(h, optNoSignal, 1)
                    _ = c.setLong(h, optFollowLocation, 1)
                    _ = c.setLong(h, optMaxRedirs, 10)
                    _ = c.setLong(h, optProtocols, protoHTTP | protoHTTPS)
                    _ = c.setLong(h, optRedirProtocols, protoHTTP | protoHTTPS)
                    _ = c.setLong(h, optConnectTimeout, seconds)
                    // A stall or a trickle: under the floor for `timeout` seconds ends the transfer; a long download
                    // does not.
                    _ = c.setLong(h, optLowSpeedLimit, HTTP.lowSpeedFloor)
                    _ = c.setLong(h, optLowSpeedTime, seconds)
                    _ = c.setPointer(h, optHTTPHeader, UnsafeRawPointer(list))
                    _ = c.setPointer(h, optErrorBuffer, UnsafeRawPointer(errorBuffer))
                    _ = c.setPointer(h, optWriteFunction, unsafeBitCast(writeBody, to: UnsafeRawPointer.self))
                    _ = c.setPointer(h, optWriteData, user)
                    _ = c.setPointer(h, optHeaderFunction, unsafeBitCast(writeHeader, to: UnsafeRawPointer.self))
                    _ = c.setPointer(h, optHeaderData, user)
                    return c.perform(h)
                }
            }
            if let refused = state.refused { throw HTTPTransportError(message: refused, hadResponse: true, refused: true) }
            if code != 0 {
                let detail = String(cString: errorBuffer)
                let message = detail.isEmpty ? c.strerror(code).map { String(cString: $0) } ?? "libcurl error \(code)" : detail
                throw HTTPTransportError(message: message, hadResponse: state.status > 0)
            }
            var status = 0
            _ = c.infoLong(h, infoResponseCode, &status)
            return (state.body, HTTPResponse(status: status > 0 ? status : state.status, headers: state.headers))
        }
    }
#else
    /// Elsewhere URLSession is part of Foundation and costs nothing at start-up.
    enum FoundationTransfer {
        static func get(
            _ url: URL, headers: [String], timeout: TimeInterval, maxBytes: Int, sink: ((UnsafeRawBufferPointer) -> Void)?
        ) throws(HTTPTransportError) -> (body: Data, response: HTTPResponse) {
            var req = URLRequest(url: url, timeoutInterval: timeout)
            for h in headers {
                guard let i = h.firstIndex(of: ":") else { continue }
                req.setValue(h[h.index(after: i)...].trimmingCharacters(in: .whitespaces), forHTTPHeaderField: String(h[..<i]))
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
            return (delegate.state.body, HTTPResponse(status: delegate.state.status, headers: delegate.state.headers))
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
