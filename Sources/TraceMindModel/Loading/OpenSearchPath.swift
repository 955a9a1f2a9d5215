import FoundationEssentials
import TraceMindFormats

/// `opensearch://HOST[:PORT][/PREFIX]` (plain HTTP) or `opensearchs://HOST[:PORT][/PREFIX]` (HTTPS): a SMOLTRACE
/// store in an OpenSearch cluster, its indexes named `PREFIX-leaderboard`, `PREFIX-results-…` (default prefix
/// `smoltrace`, default port 9200). The same pair of schemes as redis:// and rediss://: the `s` is TLS.
/// Credentials never go in the URL (they would reach shell histories, process titles and messages).
public struct OpenSearchPath: Sendable, Equatable {
    public static let plainScheme = "opensearch://"
    public static let tlsScheme = "opensearchs://"
    public static let defaultPort = 9200
    public static let defaultPrefix = "smoltrace"

    public var tls: Bool
    /// As given, without brackets for an IPv6 address.
    public var host: String
    public var port: Int
    public var prefix: String

    /// `opensearch://host:port`: what references to this store's indexes start with.
    public var base: String { (tls ? Self.tlsScheme : Self.plainScheme) + hostPort }
    /// `http(s)://host:port`.
    public var endpoint: String { (tls ? "https://" : "http://") + hostPort }
    public var hostPort: String { (host.containsText(":") ? "[\(host)]" : host) + ":\(port)" }
    /// The source as the user would write it in full.
    public var description: String { base + "/" + prefix }
    public var leaderboardIndex: String { prefix + "-leaderboard" }

    public init(tls: Bool, host: String, port: Int, prefix: String) {
        self.tls = tls
        self.host = host
        self.port = port
        self.prefix = prefix
    }

    public static func isOpenSearch(_ s: String) -> Bool { s.hasPrefix(plainScheme) || s.hasPrefix(tlsScheme) }

    /// The source with anything before an `@` in its host part replaced by `***`: a password typed into the URL
    /// by mistake is never echoed.
    public static func redacted(_ s: String) -> String {
        guard let scheme = s.firstRange(ofText: "://") else { return s }
        let rest = s[scheme.upperBound...]
        let authorityEnd = rest.firstIndex(of: "/") ?? rest.endIndex
        guard let at = rest[..<authorityEnd].lastIndex(of: "@") else { return s }
        return String(s[..<scheme.upperBound]) + "***" + String(rest[at...])
    }

    /// The store a source names, or why it is not a valid one (worded for the user; never quotes credentials).
    public static func parse(_ s: String) -> Result<OpenSearchPath, RemoteFetchError> {
        let tls = s.hasPrefix(tlsScheme)
        guard tls || s.hasPrefix(plainScheme) else { return .failure(RemoteFetchError(description: "not an opensearch:// source")) }
        var rest = Substring(s.dropFirst(tls ? tlsScheme.count : plainScheme.count))
        let slash = rest.firstIndex(of: "/") ?? rest.endIndex
        let authority = rest[..<slash]
        rest = slash < rest.endIndex ? rest[rest.index(after: slash)...] : ""
        if authority.containsText("@") {
            return .failure(
                RemoteFetchError(
                    description:
                        "credentials do not go in an OpenSearch URL: set OPENSEARCH_USER and OPENSEARCH_PASSWORD (or --opensearch-password-file, or OPENSEARCH_API_KEY)"
                ))
        }
        var host: Substring, portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return .failure(RemoteFetchError(description: "an IPv6 host needs its closing ]")) }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if after.hasPrefix(":") { portText = after.dropFirst() } else if !after.isEmpty { return .failure(RemoteFetchError(description: "expected :PORT after the host")) }
        } else if let colon = authority.firstIndex(of: ":") {
            host = authority[..<colon]
            portText = authority[authority.index(after: colon)...]
        } else {
            host = authority
        }
        let hostOK = !host.isEmpty && host.count <= 253 && host.unicodeScalars.allSatisfy { c in
            c.isASCII && URLBytes.isAlphanumeric(UInt8(c.value)) || "-._:%".unicodeScalars.contains(c)
        }
        guard hostOK else { return .failure(RemoteFetchError(description: "expected opensearch://HOST[:PORT][/PREFIX]: the host is not a host name or address")) }
        var port = defaultPort
        if let portText {
            guard let p = Int(portText), (1...65535).contains(p) else { return .failure(RemoteFetchError(description: "the port must be a number from 1 to 65535")) }
            port = p
        }
        var prefix = String(rest)
        while prefix.hasSuffix("/") { prefix.removeLast() }
        if prefix.isEmpty { prefix = defaultPrefix }
        // OpenSearch index names: lower case, none of \ / * ? " < > | space , # :, not starting with - _ +.
        let prefixOK = prefix.count <= 200 && !prefix.hasPrefix("-") && !prefix.hasPrefix("_") && !prefix.hasPrefix("+") && prefix != "." && prefix != ".."
            && prefix.unicodeScalars.allSatisfy { c in
                c.value > 0x20 && c.value < 0x7F && !"\\/*?\"<>| ,#:".unicodeScalars.contains(c) && !(c.value >= 65 && c.value <= 90)
            }
        guard prefixOK else {
            return .failure(RemoteFetchError(description: "the index prefix must be a lower-case OpenSearch index name (default: smoltrace)"))
        }
        return .success(OpenSearchPath(tls: tls, host: String(host), port: port, prefix: prefix))
    }

    /// The index a reference of this store names (`opensearch://host:port/INDEX` → `INDEX`).
    public func index(of reference: String) -> String? {
        guard reference.hasPrefix(base + "/") else { return nil }
        let index = String(reference.dropFirst(base.count + 1))
        return index.isEmpty || index.containsText("/") ? nil : index
    }
}
