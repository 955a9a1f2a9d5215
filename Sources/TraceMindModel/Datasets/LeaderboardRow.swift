import Foundation
import TraceMindFormats

/// One run as the leaderboard dataset describes it (every schema era L0…0.2.x, normalised).
/// All figures here are SMOLTRACE's *recorded* ones; corrected figures come from `RunAnalysis`.
public struct LeaderboardRow: Sendable, Equatable {
    public var runID: String?
    public var model: String
    public var agentType: String
    public var provider: String?
    public var timestamp: String?
    public var submittedBy: String?
    public var useCase: String?
    public var team: String?
    public var purpose: String?
    public var suiteVersion: String?
    public var hardware: String?
    public var runStatus: String?
    public var runStopReason: String?
    public var totalTests: Int?
    public var successfulTests: Int?
    public var failedTests: Int?
    public var erroredTests: Int?
    public var timedOutTests: Int?
    public var successRate: Double?
    public var passAt1: Double?
    public var avgSteps: Double?
    public var avgDurationMs: Double?
    public var totalDurationMs: Double?
    public var totalTokens: Int?
    public var totalPromptTokens: Int?
    public var totalCompletionTokens: Int?
    public var totalCostUSD: Double?
    public var co2Grams: Double?
    public var powerCostUSD: Double?
    public var gpuUtilizationAvg: Double?
    public var gpuUtilizationMax: Double?
    public var gpuMemoryAvgMiB: Double?
    public var gpuMemoryMaxMiB: Double?
    public var gpuTemperatureAvg: Double?
    public var gpuTemperatureMax: Double?
    public var gpuPowerAvgW: Double?
    public var resultsDataset: String?
    public var tracesDataset: String?
    public var metricsDataset: String?
    public var datasetUsed: String?
    public var notes: String?
    /// Every field as stored, unknown ones included (shown in generic detail views); from a kept catalog, read from
    /// its text when first asked for.
    public var raw: JSONObject {
        get { fields.object }
        set { fields = RowFields(newValue) }
    }
    var fields: RowFields
    /// A hash of `raw` (its kinds, keys in order, and values): part of a run's identity in the analysis cache.
    public var rawDigest: UInt64 { fields.digest }
    /// The timestamp as a number, for sorting (nanoseconds; zone-less times are local).
    public var timestampNs: Int64?
    /// The text the leaderboard filter searches, lower-cased once.
    public var searchText: String

    public init(json o: JSONObject) {
        fields = RowFields(o)
        func s(_ k: String) -> String? {
            guard let v = o[k], let t = v.text.map({ String(trimmedASCII($0)) }), !t.isEmpty else { return nil }
            return t
        }
        func d(_ k: String) -> Double? { o[k]?.number }
        func i(_ k: String) -> Int? { o[k]?.int }
        runID = s("run_id")
        model = s("model") ?? "unknown model"
        agentType = s("agent_type") ?? "unknown"
        provider = s("provider")
        timestamp = s("timestamp") ?? s("evaluation_date")
        submittedBy = s("submitted_by")
        useCase = s("use_case")
        team = s("team")
        purpose = s("purpose")
        suiteVersion = s("suite_version")
        hardware = s("hardware")
        runStatus = s("run_status")
        runStopReason = s("run_stop_reason")
        totalTests = i("total_tests") ?? i("num_tests")
        successRate = d("success_rate")
        successfulTests = i("successful_tests")
        failedTests = i("failed_tests")
        if successfulTests == nil, let t = totalTests, let r = successRate {
            successfulTests = Int((Double(t) * r / 100).rounded())
        }
        if failedTests == nil, let t = totalTests, let p = successfulTests { failedTests = max(0, t - p) }
        erroredTests = i("errored_tests")
        timedOutTests = i("timed_out_tests")
        passAt1 = d("pass_at_1")
        avgSteps = d("avg_steps")
        avgDurationMs = d("avg_duration_ms")
        totalDurationMs = d("total_duration_ms")
        totalTokens = i("total_tokens")
        totalPromptTokens = i("total_prompt_tokens")
        totalCompletionTokens = i("total_completion_tokens")
        totalCostUSD = RecordedCost.known(d("total_cost_usd"), tokens: totalTokens)
        co2Grams = d("co2_emissions_g") ?? d("total_co2_g")
        powerCostUSD = d("power_cost_total_usd")
        gpuUtilizationAvg = d("gpu_utilization_avg")
        gpuUtilizationMax = d("gpu_utilization_max")
        gpuMemoryAvgMiB = d("gpu_memory_avg_mib")
        gpuMemoryMaxMiB = d("gpu_memory_max_mib")
        gpuTemperatureAvg = d("gpu_temperature_avg")
        gpuTemperatureMax = d("gpu_temperature_max")
        gpuPowerAvgW = d("gpu_power_avg_w")
        resultsDataset = s("results_dataset")
        tracesDataset = s("traces_dataset")
        metricsDataset = s("metrics_dataset")
        datasetUsed = s("dataset_used")
        notes = s("notes")
        timestampNs = timestamp.flatMap(ISOTime.parseNs)
        searchText = [runID, model, agentType, provider, runStatus, useCase, team, submittedBy, hardware, timestamp, purpose, suiteVersion]
            .compactMap { $0?.lowercased() }.joined(separator: "\u{1}")
    }

    /// Every optional field of the row, by kind: the kept catalog writes and reads a row through these (a field added
    /// above is added here; a test checks that a row with every field set reads back equal). Key paths are immutable.
    nonisolated(unsafe) static let texts: [WritableKeyPath<LeaderboardRow, String?>] = [
        \.runID, \.provider, \.timestamp, \.submittedBy, \.useCase, \.team, \.purpose, \.suiteVersion, \.hardware, \.runStatus,
        \.runStopReason, \.resultsDataset, \.tracesDataset, \.metricsDataset, \.datasetUsed, \.notes,
    ]
    nonisolated(unsafe) static let ints: [WritableKeyPath<LeaderboardRow, Int?>] = [
        \.totalTests, \.successfulTests, \.failedTests, \.erroredTests, \.timedOutTests, \.totalTokens, \.totalPromptTokens,
        \.totalCompletionTokens,
    ]
    nonisolated(unsafe) static let doubles: [WritableKeyPath<LeaderboardRow, Double?>] = [
        \.successRate, \.passAt1, \.avgSteps, \.avgDurationMs, \.totalDurationMs, \.totalCostUSD, \.co2Grams, \.powerCostUSD,
        \.gpuUtilizationAvg, \.gpuUtilizationMax, \.gpuMemoryAvgMiB, \.gpuMemoryMaxMiB, \.gpuTemperatureAvg, \.gpuTemperatureMax,
        \.gpuPowerAvgW,
    ]

    /// The row in the kept catalog's binary form: every field as it was made, and `raw` as its text.
    func pack(into w: inout PackWriter) {
        w.text(model)
        w.text(agentType)
        for k in LeaderboardRow.texts { w.text(self[keyPath: k]) }
        for k in LeaderboardRow.ints { w.int(self[keyPath: k]) }
        for k in LeaderboardRow.doubles { w.double(self[keyPath: k]) }
        w.int(timestampNs)
        w.text(searchText)
        w.word(rawDigest)
        w.raw(fields.text)
    }

    /// A row `pack(into:)` wrote; nil when the bytes are not one. `r` reads `data`, which the row's stored fields
    /// keep a range of.
    init?(unpacking r: inout PackReader, in data: Data) {
        guard let model = r.text(), let agentType = r.text() else { return nil }
        self.model = model
        self.agentType = agentType
        fields = RowFields(JSONObject())
        searchText = ""
        for k in LeaderboardRow.texts {
            guard let v = r.optionalText() else { return nil }
            self[keyPath: k] = v
        }
        for k in LeaderboardRow.ints {
            guard let v = r.optionalInt() else { return nil }
            self[keyPath: k] = v
        }
        for k in LeaderboardRow.doubles {
            guard let v = r.optionalDouble() else { return nil }
            self[keyPath: k] = v
        }
        guard let ts = r.optionalInt64(), let search = r.text(), let digest = r.word(), let text = r.rawRange() else { return nil }
        timestampNs = ts
        searchText = search
        fields = RowFields(text: data, text, digest: digest)
    }

    /// Rows that must not be ranked with completed ones (status-only rows, partial runs).
    public var isRankable: Bool {
        if let st = runStatus, st != "completed", st.lowercased() != "completed" { return false }
        return successRate != nil
    }

    /// GPU if GPU figures exist, else CPU/API.
    public var hasGPU: Bool { (gpuUtilizationAvg ?? 0) > 0 || (gpuMemoryMaxMiB ?? 0) > 0 }

    /// Looks a value that looks like the row came from a results file or the metadata (no leaderboard row).
    public static func synthesized(model: String, agentType: String, timestamp: String?, totalTests: Int?) -> LeaderboardRow {
        var o = JSONObject()
        o.set("model", .string(model))
        o.set("agent_type", .string(agentType))
        if let timestamp { o.set("timestamp", .string(timestamp)) }
        if let totalTests { o.set("total_tests", .int(Int64(totalTests))) }
        return LeaderboardRow(json: o)
    }
}

/// A row's fields as stored: the parsed object, or (from a kept catalog) its compact JSON text, parsed when first
/// asked for, and their digest, made when first asked for (a kept catalog holds it). Listing, sorting and filtering
/// 10,000 kept runs read none of them.
final class RowFields: @unchecked Sendable, Equatable {
    private let lock = NSLock()
    private var parsed: JSONObject?
    /// The text: a range of bytes shared with the rest of the kept catalog (no copy of each row's).
    private var written: (data: Data, range: Range<Int>)?
    private var hash: UInt64?

    init(_ object: JSONObject) { parsed = object }
    init(text data: Data, _ range: Range<Int>, digest: UInt64) { (written, hash) = ((data, range), digest) }

    var object: JSONObject { lock.withLock { objectLocked() } }

    /// `AnalysisCache.digest` of the object.
    var digest: UInt64 {
        lock.withLock {
            if let hash { return hash }
            let h = AnalysisCache.digest(.object(objectLocked()))
            hash = h
            return h
        }
    }

    private func objectLocked() -> JSONObject {
        if let parsed { return parsed }
        let o = written.flatMap { (try? JSONParser.parse($0.data, range: $0.range))?.objectValue } ?? JSONObject()
        parsed = o
        return o
    }

    /// The compact JSON text of the fields.
    var text: [UInt8] {
        lock.withLock {
            if let written { return [UInt8](written.data[written.range]) }
            return JSONWriter.bytes(.object(parsed ?? JSONObject()), pretty: false)
        }
    }

    static func == (a: RowFields, b: RowFields) -> Bool { a === b || a.object == b.object }
}

/// SMOLTRACE's `metadata.json` timestamp is `YYYYMMDD_HHMMSS`; turn it into ISO-8601 (local, no zone).
func isoFromCompactTimestamp(_ s: String) -> String? {
    let c = Array(s)
    guard c.count == 15, c[8] == "_", c.enumerated().allSatisfy({ $0.offset == 8 || $0.element.isASCII && $0.element.isNumber })
    else { return nil }
    let d = String(c[0..<8]), t = String(c[9..<15])
    return "\(d.prefix(4))-\(d.dropFirst(4).prefix(2))-\(d.suffix(2))T\(t.prefix(2)):\(t.dropFirst(2).prefix(2)):\(t.suffix(2))"
}
