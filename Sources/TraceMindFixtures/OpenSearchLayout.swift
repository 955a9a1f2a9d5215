import Foundation
import TraceMindFormats
import TraceMindHTTP
import TraceMindModel

/// Writes generated run folders into an OpenSearch cluster through its REST API the way SMOLTRACE's exporter does
/// (`exporters/opensearch.py`, 0.2.12): index templates `{prefix}-{kind}-template`, then per run the indexes
/// `{prefix}-{results,traces,metrics}-YYYYMMDD-HHMMSS` created and filled with `_bulk` (results keyed by
/// `test_case_uid`, or by `task_id` as before 0.1.1; traces by `trace_id`; metrics flat, unkeyed, a placeholder for
/// runs without GPU data), each document with the run's `run_id`; last the leaderboard row, `PUT` to
/// `{prefix}-leaderboard/_doc/{run_id}` with `results_index`, `traces_index` and `metrics_index` added.
public enum OpenSearchLayout {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// Exports every run folder of `files` (paths → bytes, as the demo generator makes them). Returns the indexes written.
    @discardableResult
    public static func export(
        _ files: [String: Data], endpoint: String, prefix: String = "smoltrace", user: String = "demo-user", authorization: String? = nil,
        keyResultsByTaskID: Bool = false
    ) throws -> [String] {
        func call(_ method: String, _ path: String, _ body: Data?, ndjson: Bool = false) throws -> (Int, Data) {
            var headers = ["Content-Type: application/\(ndjson ? "x-ndjson" : "json")"]
            if let authorization { headers.append("Authorization: \(authorization)") }
            do {
                let r = try HTTP.request(method, endpoint + path, headers: headers, body: body, timeout: 10, maxBytes: 64 << 20, tls: TLSOptions())
                return (r.response.status, r.body)
            } catch {
                throw Failure(description: "\(method) \(path): \(error.message)")
            }
        }
        func json(_ v: JSON) -> Data { Data(JSONWriter.bytes(v, pretty: false)) }
        for kind in ["results", "traces", "metrics", "leaderboard"] {
            let name = "\(prefix)-\(kind)-template"
            if try call("HEAD", "/_index_template/\(name)", nil).0 == 200 { continue }
            let pattern = kind == "leaderboard" ? "\(prefix)-leaderboard*" : "\(prefix)-\(kind)-*"
            let body = JSON.obj([
                ("index_patterns", .array([.string(pattern)])), ("priority", 100),
                ("template", .obj([("settings", .obj([("number_of_shards", 1), ("number_of_replicas", 0)]))])),
            ])
            _ = try call("PUT", "/_index_template/\(name)", json(body))
        }
        func parse(_ d: Data?) -> JSON? { d.flatMap { try? JSONParser.parse($0) } }
        func bulk(_ index: String, _ docs: [JSON], id: (JSONObject) -> String?) throws {
            guard !docs.isEmpty else { return }
            if try call("HEAD", "/\(index)", nil).0 == 404 {
                _ = try call("PUT", "/\(index)", json(.obj([("settings", .obj([("number_of_shards", 1), ("number_of_replicas", 0)]))])))
            }
            var body = Data()
            for d in docs {
                guard let o = d.objectValue else { continue }
                var meta: [(String, JSON)] = [("_index", .string(index))]
                if let i = id(o) { meta.append(("_id", .string(i))) }
                body += json(.obj([("index", .obj(meta))])) + Data([0x0A]) + json(d) + Data([0x0A])
            }
            let (status, answer) = try call("POST", "/_bulk", body, ndjson: true)
            guard status == 200, parse(answer)?["errors"] != .bool(true) else { throw Failure(description: "_bulk into \(index): HTTP \(status)") }
        }
        var written: [String] = []
        let folders = files.keys.filter { $0.hasSuffix("/leaderboard_row.json") }.map { String($0.dropLast("/leaderboard_row.json".count)) }.sorted()
        for folder in folders {
            guard var row = parse(files[folder + "/leaderboard_row.json"])?.objectValue else { continue }
            let name = folder.split(separator: "/").last.map(String.init) ?? folder
            let ts = name.split(separator: "_").suffix(2).joined(separator: "_")
            let runID = row["run_id"]?.text ?? name
            func withRunID(_ docs: [JSON]) -> [JSON] {
                docs.map { d in
                    guard var o = d.objectValue else { return d }
                    o.set("run_id", .string(runID))
                    return .object(o)
                }
            }
            func index(_ kind: String) -> String { "\(prefix)-\(kind)-\(ts.replacingOccurrences(of: "_", with: "-"))" }
            // As export_all: the row names all three indexes; an index is created only for documents to put in it
            // (a run without results or traces has none), metrics always (a placeholder row for API runs).
            let results = parse(files[folder + "/results.json"])?.arrayValue ?? []
            try bulk(index("results"), withRunID(results)) { o in keyResultsByTaskID ? o["task_id"]?.text : (o["test_case_uid"]?.text ?? nil) }
            let traces = parse(files[folder + "/traces.json"])?.arrayValue ?? []
            try bulk(index("traces"), withRunID(traces)) { $0["trace_id"]?.text }
            try bulk(index("metrics"), withRunID(HubLayout.flatMetrics(parse(files[folder + "/metrics.json"]), runID: runID))) { _ in nil }
            for kind in ["results", "traces", "metrics"] {
                row.set("\(kind)_dataset", .string("\(user)/smoltrace-\(kind)-\(ts)"))
                row.set("\(kind)_index", .string(index(kind)))
            }
            written += (results.isEmpty ? [] : [index("results")]) + (traces.isEmpty ? [] : [index("traces")]) + [index("metrics")]
            row.set("submitted_by", .string(user))
            let board = "\(prefix)-leaderboard"
            if try call("HEAD", "/\(board)", nil).0 == 404 { _ = try call("PUT", "/\(board)", json(.obj([]))) }
            let encoded = runID.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? runID
            let (status, _) = try call("PUT", "/\(board)/_doc/\(encoded)?refresh=false", json(.object(row)))
            guard (200..<300).contains(status) else { throw Failure(description: "leaderboard row of \(runID): HTTP \(status)") }
        }
        return written
    }
}
