import Foundation
import TraceMindFormats
import TraceMindModel

/// Turns generated run folders into the Hub dataset repositories SMOLTRACE pushes: `USER/smoltrace-leaderboard`
/// (one row per run) and `USER/smoltrace-{results,traces,metrics}-TIMESTAMP`, each with `data/train-*.parquet`
/// shards; metrics in the flat time-series form (a single placeholder row for runs without GPU data).
public enum HubLayout {
    public static func convert(
        _ files: [String: Data], user: String = "demo-user", options: ParquetWriter.Options = ParquetWriter.Options(), shards: Int = 1
    ) -> [String: Data] {
        var out: [String: Data] = [:]
        var board: [JSON] = []
        let folders = files.keys.filter { $0.hasSuffix("/leaderboard_row.json") }.map { String($0.dropLast("/leaderboard_row.json".count)) }.sorted()
        func json(_ p: String) -> JSON? { files[p].flatMap { try? JSONParser.parse($0) } }
        for folder in folders {
            let name = folder.split(separator: "/").last.map(String.init) ?? folder
            let parts = name.split(separator: "_")
            guard parts.count >= 2 else { continue }
            let ts = parts.suffix(2).joined(separator: "_")
            func repo(_ kind: String) -> String { "\(user)/smoltrace-\(kind)-\(ts)" }
            func put(_ kind: String, _ records: [JSON]) {
                let n = max(1, min(shards, records.count))
                for k in 0..<n {
                    let lo = k * records.count / n, hi = (k + 1) * records.count / n
                    let path = "\(repo(kind))/data/train-\(String(format: "%05d", k))-of-\(String(format: "%05d", n)).parquet"
                    out[path] = ParquetWriter.write(Array(records[lo..<hi]), options: options)
                }
            }
            guard var row = json(folder + "/leaderboard_row.json")?.objectValue else { continue }
            let results = json(folder + "/results.json")?.arrayValue ?? []
            put("results", results)
            if let traces = json(folder + "/traces.json")?.arrayValue, !traces.isEmpty { put("traces", traces) }
            put("metrics", flatMetrics(json(folder + "/metrics.json"), runID: row["run_id"]?.text))
            for kind in ["results", "traces", "metrics"] { row.set("\(kind)_dataset", .string(repo(kind))) }
            row.set("submitted_by", .string(user))
            board.append(.object(row))
        }
        var lbOptions = options
        lbOptions.rowGroupRows = max(1, min(options.rowGroupRows, 64))
        out["\(user)/smoltrace-leaderboard/data/train-00000-of-00001.parquet"] = ParquetWriter.write(board, options: lbOptions)
        return out
    }

    static let wideColumns: [String: String] = [
        "gen_ai.co2.emissions": "co2_emissions_gco2e", "gen_ai.power.cost": "power_cost_usd",
        "gen_ai.gpu.utilization": "gpu_utilization_percent", "gen_ai.gpu.memory.used": "gpu_memory_used_mib",
        "gen_ai.gpu.memory.total": "gpu_memory_total_mib", "gen_ai.gpu.temperature": "gpu_temperature_celsius",
        "gen_ai.gpu.power": "gpu_power_watts",
    ]

    /// SMOLTRACE's `flatten_metrics_for_hf`: one row per timestamp with the seven wide columns (0.0 when missing),
    /// `gpu_id`/`gpu_name` from the data points; one placeholder row without `timestamp_unix_nano` when there is no
    /// GPU data.
    static func flatMetrics(_ m: JSON?, runID: String?) -> [JSON] {
        var rows: [Int64: JSONObject] = [:]
        for rm in m?["resourceMetrics"]?.arrayValue ?? [] {
            for sm in rm["scopeMetrics"]?.arrayValue ?? [] {
                for metric in sm["metrics"]?.arrayValue ?? [] {
                    guard let name = metric["name"]?.text, let column = wideColumns[name] else { continue }
                    let body = metric["gauge"].flatMap { $0.isNull ? nil : $0 } ?? metric["sum"]
                    guard let dp = body?["dataPoints"]?.arrayValue?.first, let t = dp["timeUnixNano"]?.int64 else { continue }
                    let v = dp["asDouble"]?.number ?? dp["asInt"]?.number ?? 0
                    var row = rows[t] ?? base(runID, t)
                    row.set(column, .double(v))
                    for a in dp["attributes"]?.arrayValue ?? [] {
                        guard let k = a["key"]?.text, k == "gpu_id" || k == "gpu_name", let val = a["value"]?["stringValue"]?.text else { continue }
                        row.set(k, .string(val))
                    }
                    rows[t] = row
                }
            }
        }
        if rows.isEmpty {
            var o = JSONObject()
            o.set("run_id", .string(runID ?? "unknown"))
            o.set("timestamp", .string("2026-01-01T00:00:00"))
            o.set("service_name", .string("smoltrace-eval"))
            o.set("gpu_id", .null)
            o.set("gpu_name", .null)
            for c in wideColumns.values.sorted() { o.set(c, .double(0)) }
            return [.object(o)]
        }
        return rows.keys.sorted().map { .object(rows[$0]!) }
    }

    static func base(_ runID: String?, _ t: Int64) -> JSONObject {
        var o = JSONObject()
        o.set("run_id", .string(runID ?? "unknown"))
        o.set("service_name", .string("smoltrace-eval"))
        o.set("timestamp", .string(ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: Double(t) / 1e9))))
        o.set("timestamp_unix_nano", .string(String(t)))
        for c in wideColumns.values.sorted() { o.set(c, .double(0)) }
        o.set("gpu_id", .null)
        o.set("gpu_name", .null)
        return o
    }
}
