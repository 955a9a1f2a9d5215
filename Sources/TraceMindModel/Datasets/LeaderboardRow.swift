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
    /// Every field as stored, unknown ones included (shown in generic detail views).
    public var raw: JSONObject
    /// The timestamp as a number, for sorting (nanoseconds; zone-less times are local).
    public var timestampNs: Int64?
    /// The text the leaderboard filter searches, lower-cased once.
    public var searchText: String

    public init(json o: JSONObject) {
        raw = o
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

    /// Rows that must not be ranked with completed ones (status-only rows, partial runs).
    public var isRankable: Bool {
        if let st = runStatus?.lowercased(), st != "completed" { return false }
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

/// SMOLTRACE's `metadata.json` timestamp is `YYYYMMDD_HHMMSS`; turn it into ISO-8601 (local, no zone).
func isoFromCompactTimestamp(_ s: String) -> String? {
    let c = Array(s)
    guard c.count == 15, c[8] == "_", c.enumerated().allSatisfy({ $0.offset == 8 || $0.element.isASCII && $0.element.isNumber })
    else { return nil }
    let d = String(c[0..<8]), t = String(c[9..<15])
    return "\(d.prefix(4))-\(d.dropFirst(4).prefix(2))-\(d.suffix(2))T\(t.prefix(2)):\(t.dropFirst(2).prefix(2)):\(t.suffix(2))"
}
