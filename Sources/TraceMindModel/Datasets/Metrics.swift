import FoundationEssentials
import TraceMindFormats

/// One time series of one metric for one GPU (or for the whole machine when the point has no `gpu_id`).
public struct MetricSeries: Sendable, Equatable {
    public var name: String
    public var unit: String
    public var gpuID: String
    public var gpuName: String?
    /// Sums (CO2, power cost) are cumulative running totals.
    public var isCumulative: Bool
    public var points: [MetricPoint]

    public var minValue: Double? { points.map(\.value).min() }
    public var maxValue: Double? { points.map(\.value).max() }
    public var avgValue: Double? { points.isEmpty ? nil : points.map(\.value).reduce(0, +) / Double(points.count) }
    /// For cumulative series the total over the run is last − first reading (or the max, as SMOLTRACE does).
    public var total: Double? { isCumulative ? maxValue : nil }
}

public struct MetricPoint: Sendable, Equatable {
    public var timeNs: Int64
    public var value: Double
}

/// One item of SMOLTRACE's `aggregates` list (trace-derived summary; figures as recorded).
public struct AggregateMetric: Sendable, Equatable {
    public var name: String
    public var type: String
    public var unit: String?
    public var value: Double?
    public var sum: Double?
    public var count: Double?
    public var avg: Double?
    public var attributes: JSONObject
}

/// GPU/energy time series and the aggregates of one run.
public struct RunMetrics: Sendable, Equatable {
    public var runID: String?
    public var series: [MetricSeries]
    public var aggregates: [AggregateMetric]

    /// True when any GPU series has a reading (API runs have none).
    public var hasGPUData: Bool {
        series.contains { $0.name.hasPrefix("gen_ai.gpu.") && !$0.points.isEmpty }
    }

    public var gpuIDs: [String] {
        var ids: [String] = []
        for s in series where s.name.hasPrefix("gen_ai.gpu.") && !ids.contains(s.gpuID) { ids.append(s.gpuID) }
        return ids
    }

    public func series(_ name: String, gpu: String? = nil) -> MetricSeries? {
        series.first { $0.name == name && (gpu == nil || $0.gpuID == gpu) }
    }

    /// Total CO2 in grams: the sum over GPUs of each cumulative series' last reading.
    public var co2TotalGrams: Double? {
        let s = series.filter { $0.name == "gen_ai.co2.emissions" }.compactMap { $0.total }
        return s.isEmpty ? nil : s.reduce(0, +)
    }

    public var powerCostTotalUSD: Double? {
        let s = series.filter { $0.name == "gen_ai.power.cost" }.compactMap { $0.total }
        return s.isEmpty ? nil : s.reduce(0, +)
    }

    /// Parses local `metrics.json` in both shapes: a bare aggregates list (0.0.1) or `{run_id, resourceMetrics, aggregates}`.
    public init(json: JSON) {
        switch json {
        case .array(let a): self.init(records: a.compactMap(\.objectValue))
        case .object(let o): self.init(records: [o])
        default: self.init(records: [])
        }
    }

    /// A list of metric records, in any of the shapes SMOLTRACE and its readers produce: local `{run_id,
    /// resourceMetrics, aggregates}` objects (one Hub row in 2025-10-24…26), 0.0.1 aggregate rows
    /// (`name`, `type`, `data_points`), the Hub's flat wide rows (one per timestamp; a single row without
    /// `timestamp_unix_nano` is the "no GPU data" placeholder) and TraceMind's long rows (`metric_name`, `value`).
    public init(records: [JSONObject]) {
        runID = records.lazy.compactMap { $0["run_id"]?.text }.first { $0 != "unknown" }
        series = []
        aggregates = []
        var wide: [JSONObject] = []
        var long: [JSONObject] = []
        for o in records {
            if o["resourceMetrics"] != nil || o["aggregates"] != nil {
                aggregates += (o["aggregates"]?.arrayValue ?? []).compactMap { $0.objectValue.map(RunMetrics.aggregate) }
                series += RunMetrics.seriesFromOTLP(o["resourceMetrics"]?.arrayValue ?? [])
            } else if o["data_points"] != nil && o["name"] != nil {
                aggregates.append(RunMetrics.aggregate(o))
            } else if o["metric_name"] != nil {
                long.append(o)
            } else if o["timestamp_unix_nano"] != nil {
                wide.append(o)
            }
        }
        series += RunMetrics.seriesFromLong(long) + RunMetrics.seriesFromWide(wide)
        series = RunMetrics.merged(series)
    }

    /// The Hub's wide columns and the metric each holds (unit, cumulative).
    static let wideColumns: [(column: String, metric: String, unit: String, cumulative: Bool)] = [
        ("co2_emissions_gco2e", "gen_ai.co2.emissions", "gCO2e", true),
        ("power_cost_usd", "gen_ai.power.cost", "USD", true),
        ("gpu_utilization_percent", "gen_ai.gpu.utilization", "%", false),
        ("gpu_memory_used_mib", "gen_ai.gpu.memory.used", "MiB", false),
        ("gpu_memory_total_mib", "gen_ai.gpu.memory.total", "MiB", false),
        ("gpu_temperature_celsius", "gen_ai.gpu.temperature", "Cel", false),
        ("gpu_power_watts", "gen_ai.gpu.power", "W", false),
    ]

    /// Flat rows: rows sharing a timestamp (and GPU) merge, taking the non-zero value per column. Missing values were
    /// written as 0.0, so a series that never leaves 0 was not measured and is dropped.
    static func seriesFromWide(_ rows: [JSONObject]) -> [MetricSeries] {
        var out: [MetricSeries] = []
        var byKey: [String: Int] = [:]
        var last: [String: Int64] = [:]
        for o in rows {
            guard let t = o["timestamp_unix_nano"]?.int64 else { continue }
            let gpu = o["gpu_id"]?.text ?? "all"
            for c in wideColumns {
                guard let v = o[c.column]?.number else { continue }
                let key = c.metric + "\u{1}" + gpu
                let i: Int
                if let k = byKey[key] {
                    i = k
                } else {
                    i = out.count
                    byKey[key] = i
                    out.append(MetricSeries(name: c.metric, unit: c.unit, gpuID: gpu, gpuName: o["gpu_name"]?.text, isCumulative: c.cumulative, points: []))
                }
                if out[i].gpuName == nil { out[i].gpuName = o["gpu_name"]?.text }
                if last[key] == t, let p = out[i].points.indices.last {
                    if out[i].points[p].value == 0 { out[i].points[p].value = v }
                } else {
                    out[i].points.append(MetricPoint(timeNs: t, value: v))
                    last[key] = t
                }
            }
        }
        return out.filter { $0.points.contains { $0.value != 0 } }
    }

    /// Long rows: one per data point.
    static func seriesFromLong(_ rows: [JSONObject]) -> [MetricSeries] {
        var out: [MetricSeries] = []
        var byKey: [String: Int] = [:]
        for o in rows {
            guard let name = o["metric_name"]?.text, let v = o["value"]?.number, let t = o["timestamp_unix_nano"]?.int64 else { continue }
            let gpu = o["gpu_id"]?.text ?? "all"
            let key = name + "\u{1}" + gpu
            if let i = byKey[key] {
                out[i].points.append(MetricPoint(timeNs: t, value: v))
            } else {
                byKey[key] = out.count
                let cumulative = name == "gen_ai.co2.emissions" || name == "gen_ai.power.cost"
                out.append(MetricSeries(name: name, unit: o["unit"]?.text ?? "", gpuID: gpu, gpuName: o["gpu_name"]?.text, isCumulative: cumulative, points: [MetricPoint(timeNs: t, value: v)]))
            }
        }
        return out
    }

    /// Series of one metric and GPU from several records become one, in time order.
    static func merged(_ all: [MetricSeries]) -> [MetricSeries] {
        var out: [MetricSeries] = []
        var byKey: [String: Int] = [:]
        for s in all {
            let key = s.name + "\u{1}" + s.gpuID
            if let i = byKey[key] {
                out[i].points += s.points
                if out[i].gpuName == nil { out[i].gpuName = s.gpuName }
            } else {
                byKey[key] = out.count
                out.append(s)
            }
        }
        for i in out.indices { out[i].points.sort { $0.timeNs < $1.timeNs } }
        return out
    }

    public init(runID: String?, series: [MetricSeries], aggregates: [AggregateMetric]) {
        self.runID = runID
        self.series = series
        self.aggregates = aggregates
    }

    static func aggregate(_ o: JSONObject) -> AggregateMetric {
        let dp = o["data_points"]?.arrayValue?.first?.objectValue
        let v = dp?["value"]?.objectValue
        return AggregateMetric(
            name: o["name"]?.text ?? "?", type: o["type"]?.text ?? "?", unit: o["unit"]?.text,
            value: v?["value"]?.number, sum: v?["sum"]?.number, count: v?["count"]?.number, avg: v?["avg"]?.number,
            attributes: dp?["attributes"]?.objectValue ?? JSONObject())
    }

    /// Walks `resourceMetrics[].scopeMetrics[].metrics[]`: gauges and sums only, per `gpu_id`.
    static func seriesFromOTLP(_ resourceMetrics: [JSON]) -> [MetricSeries] {
        var byKey: [String: Int] = [:]
        var out: [MetricSeries] = []
        for rm in resourceMetrics {
            for sm in rm["scopeMetrics"]?.arrayValue ?? [] {
                for m in sm["metrics"]?.arrayValue ?? [] {
                    guard let name = m["name"]?.text else { continue }
                    let unit = m["unit"]?.text ?? ""
                    let body: JSON
                    let cumulative: Bool
                    if let g = m["gauge"], !g.isNull {
                        body = g
                        cumulative = false
                    } else if let s = m["sum"], !s.isNull {
                        body = s
                        cumulative = (s["aggregationTemporality"]?.int ?? 2) == 2
                    } else {
                        continue
                    }
                    for dp in body["dataPoints"]?.arrayValue ?? [] {
                        let attrs = otlpAttributes(dp["attributes"])
                        guard let t = dp["timeUnixNano"]?.int64 else { continue }
                        // asInt wins when present and non-null (a string, sometimes an int), else asDouble.
                        var value: Double?
                        if let ai = dp["asInt"], !ai.isNull { value = ai.number }
                        if value == nil, let ad = dp["asDouble"], !ad.isNull { value = ad.number }
                        guard let value else { continue }
                        let gpu = attrs["gpu_id"]?.text ?? attrs["component"]?.text ?? "all"
                        let key = name + "\u{1}" + gpu
                        if let i = byKey[key] {
                            out[i].points.append(MetricPoint(timeNs: t, value: value))
                        } else {
                            byKey[key] = out.count
                            out.append(
                                MetricSeries(
                                    name: name, unit: unit, gpuID: gpu, gpuName: attrs["gpu_name"]?.text,
                                    isCumulative: cumulative, points: [MetricPoint(timeNs: t, value: value)]))
                        }
                    }
                }
            }
        }
        for i in out.indices { out[i].points.sort { $0.timeNs < $1.timeNs } }
        return out
    }

    /// OTLP typed attributes `[{"key", "value": {"stringValue"|"intValue"|…}}]`, or a plain object.
    static func otlpAttributes(_ j: JSON?) -> JSONObject {
        var o = JSONObject()
        switch j {
        case .array(let a)?:
            for kv in a {
                guard let k = kv["key"]?.text, let v = kv["value"]?.objectValue, let first = v.values.first else { continue }
                o.set(k, first)
            }
        case .object(let obj)?:
            o = obj
        default: break
        }
        return o
    }
}
