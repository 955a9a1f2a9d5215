import Foundation

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

    public static let gpuMetricNames = [
        "gen_ai.gpu.utilization", "gen_ai.gpu.memory.used", "gen_ai.gpu.memory.total", "gen_ai.gpu.temperature",
        "gen_ai.gpu.power", "gen_ai.co2.emissions", "gen_ai.power.cost",
    ]

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
        runID = nil
        series = []
        aggregates = []
        switch json {
        case .array(let a):
            aggregates = a.compactMap { $0.objectValue.map(RunMetrics.aggregate) }
        case .object(let o):
            runID = o["run_id"]?.text
            aggregates = (o["aggregates"]?.arrayValue ?? []).compactMap { $0.objectValue.map(RunMetrics.aggregate) }
            series = RunMetrics.seriesFromOTLP(o["resourceMetrics"]?.arrayValue ?? [])
        default: break
        }
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
