// A loopback OpenSearch server (TestSupport's, in memory) to check TraceMind's reader against what SMOLTRACE's own
// exporter writes: start it, run `smoltrace-eval --output-format opensearch --opensearch-port PORT`, then
// `tracemind opensearch://127.0.0.1:PORT`. Ends on SIGINT/SIGTERM, or after --seconds.
//
//   tracemind-opensearch-loopback [--port PORT] [--seconds N] [--user USER (password from OPENSEARCH_PASSWORD)]
import Foundation
import TestSupport

#if canImport(Glibc)
    import Glibc
#endif

var port: UInt16 = 9200
var seconds: Double?
var user: String?
var args = CommandLine.arguments.dropFirst()
while let a = args.popFirst() {
    switch a {
    case "--port": port = args.popFirst().flatMap { UInt16($0) } ?? port
    case "--seconds": seconds = args.popFirst().flatMap { Double($0) }
    case "--user": user = args.popFirst()
    default:
        FileHandle.standardError.write(Data("usage: tracemind-opensearch-loopback [--port PORT] [--seconds N] [--user USER]\n".utf8))
        exit(2)
    }
}
do {
    let server = try OpenSearchServer(port: port)
    if let user {
        server.basicAuth = (user, ProcessInfo.processInfo.environment["OPENSEARCH_PASSWORD"] ?? "")
    }
    FileHandle.standardOutput.write(Data("listening on \(server.endpoint) (opensearch://127.0.0.1:\(server.port))\n".utf8))
    signal(SIGINT) { _ in exit(0) }
    signal(SIGTERM) { _ in exit(0) }
    if let seconds {
        Thread.sleep(forTimeInterval: seconds)
    } else {
        while true { sleep(3600) }
    }
    withExtendedLifetime(server) {}
} catch {
    FileHandle.standardError.write(Data("cannot listen on 127.0.0.1:\(port): \(error)\n".utf8))
    exit(1)
}
