import FoundationEssentials
import TraceMindFormats
import TraceMindHTTP
import TraceMindModel

#if canImport(Glibc)
    import Glibc
#endif

/// How to sign in to a cluster, as SMOLTRACE takes it: `OPENSEARCH_USER` with `OPENSEARCH_PASSWORD` (or a password
/// file), or an API key. Never part of a URL, a message or a cache path.
public struct OpenSearchCredentials: Sendable {
    public var user: String?
    var password: String?
    var apiKey: String?

    public init(user: String? = nil, password: String? = nil, apiKey: String? = nil) {
        self.user = user.flatMap { $0.isEmpty ? nil : $0 }
        self.password = password.flatMap { $0.isEmpty ? nil : $0 }
        self.apiKey = apiKey.flatMap { $0.isEmpty ? nil : $0 }
    }

    public var isEmpty: Bool { authorization == nil }

    /// The `Authorization` header's value: `ApiKey …` for a key, else `Basic …` for a user and password.
    var authorization: String? {
        if let apiKey { return "ApiKey \(apiKey)" }
        guard let user, let password else { return nil }
        return "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()
    }

    /// `OPENSEARCH_API_KEY`, else `OPENSEARCH_USER` with the password from `passwordFile` (or `OPENSEARCH_PASSWORD_FILE`),
    /// else `OPENSEARCH_PASSWORD`. A password file that cannot be read, or is empty, is an error naming the file only.
    public static func fromEnvironment(_ env: [String: String], passwordFile: String?) throws(RemoteFetchError) -> OpenSearchCredentials {
        var password = env["OPENSEARCH_PASSWORD"]
        if let file = passwordFile ?? env["OPENSEARCH_PASSWORD_FILE"].flatMap({ $0.isEmpty ? nil : $0 }) {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
                throw RemoteFetchError(description: "cannot read the OpenSearch password file \(file)")
            }
            let p = text.trimmingBlanksAndNewlines()
            guard !p.isEmpty else { throw RemoteFetchError(description: "the OpenSearch password file \(file) is empty") }
            password = p
        }
        let c = OpenSearchCredentials(user: env["OPENSEARCH_USER"], password: password, apiKey: env["OPENSEARCH_API_KEY"])
        if c.user != nil, c.password == nil, c.apiKey == nil {
            throw RemoteFetchError(description: "OPENSEARCH_USER is set without a password: set OPENSEARCH_PASSWORD or pass --opensearch-password-file")
        }
        if c.authorization?.contains(where: { $0 == "\r" || $0 == "\n" }) == true {
            throw RemoteFetchError(description: "the OpenSearch credentials hold a line break")
        }
        return c
    }
}

extension OpenSearchClient {
    /// The client for an `opensearch://` source, or why it may not be used. As SMOLTRACE does, a host that is not
    /// loopback must be reached over TLS with certificate verification and with credentials, unless `insecure` (an
    /// explicit development-only flag, which also turns verification off).
    public static func make(
        source: String, credentials: OpenSearchCredentials, caFile: String?, insecure: Bool, cacheRoot: String, timeout: TimeInterval = 30
    ) -> Result<OpenSearchClient, RemoteFetchError> {
        let store: OpenSearchPath
        switch OpenSearchPath.parse(source) {
        case .success(let p): store = p
        case .failure(let e): return .failure(e)
        }
        if let caFile, !FileManager.default.isReadableFile(atPath: caFile) {
            return .failure(RemoteFetchError(description: "cannot read the CA file \(caFile)"))
        }
        if !insecure, !isLoopback(store.host) {
            var missing: [String] = []
            if !store.tls { missing.append("TLS (write opensearchs://)") }
            if credentials.isEmpty { missing.append("credentials (OPENSEARCH_USER and OPENSEARCH_PASSWORD, or OPENSEARCH_API_KEY)") }
            if !missing.isEmpty {
                return .failure(
                    RemoteFetchError(
                        description:
                            "refusing a non-loopback OpenSearch without \(missing.joined(separator: " and ")); pass --opensearch-insecure only for an isolated development cluster"
                    ))
            }
        }
        return .success(
            OpenSearchClient(
                store: store, credentials: credentials, tls: TLSOptions(caFile: caFile, insecure: insecure), cacheRoot: cacheRoot, timeout: timeout))
    }

    /// `localhost`, `127.0.0.0/8`, `::1`, or a name every address of which is one of those.
    static func isLoopback(_ host: String) -> Bool {
        let h = host.lowercased()
        if h == "localhost" || h == "::1" || h == "0:0:0:0:0:0:0:1" { return true }
        var v4 = in_addr()
        if inet_pton(AF_INET, h, &v4) == 1 { return UInt32(bigEndian: v4.s_addr) >> 24 == 127 }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, h, &v6) == 1 { return false }
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(h, nil, &hints, &list) == 0, let first = list else { return false }
        defer { freeaddrinfo(list) }
        var node: UnsafeMutablePointer<addrinfo>? = first
        var all = true
        while let n = node {
            if n.pointee.ai_family == AF_INET, let a = n.pointee.ai_addr {
                let sin = a.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee }
                if UInt32(bigEndian: sin.sin_addr.s_addr) >> 24 != 127 { all = false }
            } else if n.pointee.ai_family == AF_INET6, let a = n.pointee.ai_addr {
                let sin6 = a.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee }
                let bytes = withUnsafeBytes(of: sin6.sin6_addr) { Array($0) }
                if bytes != [UInt8](repeating: 0, count: 15) + [1] { all = false }
            } else {
                all = false
            }
            node = n.pointee.ai_next
        }
        return all
    }
}
