import FoundationEssentials
import TraceMindFormats

/// One run as the leaderboard dataset describes it (every schema era L0…0.2.x, normalised).
/// All figures here are SMOLTRACE's *recorded* ones; corrected figures come from `RunAnalysis`.
public struct LeaderboardRow: Sendable, Equatable {
    /// The fields in one box, copied on write: ranking, sorting, filtering and reporting 10,000 runs pass rows around
    /// by the ten thousand, and a copy is then one reference count instead of one for each of its strings.
    ///
    /// Its fields are changed only through `unique()`, on a box no other row holds, and never while being read: the
    /// run-time exclusivity check each read of a class's `var` makes (half a million reads, 3% of the instructions of
    /// a counted-once leaderboard of 10,000 runs) is left out.
    final class Box: @unchecked Sendable {
        @exclusivity(unchecked) var v: Values
        init(_ v: consuming Values) { self.v = v }
    }
    private var box: Box

    private mutating func unique() -> Box {
        if !isKnownUniquelyReferenced(&box) { box = Box(box.v) }
        return box
    }

    /// The fields as made (the kept catalog writes and reads them).
    var values: Values { box.v }

    public static func == (a: LeaderboardRow, b: LeaderboardRow) -> Bool { a.box === b.box || a.box.v == b.box.v }

    public var runID: String? {
        get { box.v.runID }
        set { unique().v.runID = newValue }
    }
    public var model: String {
        get { box.v.model }
        set { unique().v.model = newValue }
    }
    public var agentType: String {
        get { box.v.agentType }
        set { unique().v.agentType = newValue }
    }
    public var provider: String? {
        get { box.v.provider }
        set { unique().v.provider = newValue }
    }
    public var timestamp: String? {
        get { box.v.timestamp }
        set { unique().v.timestamp = newValue }
    }
    public var submittedBy: String? {
        get { box.v.submittedBy }
        set { unique().v.submittedBy = newValue }
    }
    public var useCase: String? {
        get { box.v.useCase }
        set { unique().v.useCase = newValue }
    }
    public var team: String? {
        get { box.v.team }
        set { unique().v.team = newValue }
    }
    public var purpose: String? {
        get { box.v.purpose }
        set { unique().v.purpose = newValue }
    }
    public var suiteVersion: String? {
        get { box.v.suiteVersion }
        set { unique().v.suiteVersion = newValue }
    }
    public var hardware: String? {
        get { box.v.hardware }
        set { unique().v.hardware = newValue }
    }
    public var runStatus: String? {
        get { box.v.runStatus }
        set { unique().v.runStatus = newValue }
    }
    public var runStopReason: String? {
        get { box.v.runStopReason }
        set { unique().v.runStopReason = newValue }
    }
    public var totalTests: Int? {
        get { box.v.totalTests }
        set { unique().v.totalTests = newValue }
    }
    public var successfulTests: Int? {
        get { box.v.successfulTests }
        set { unique().v.successfulTests = newValue }
    }
    public var failedTests: Int? {
        get { box.v.failedTests }
        set { unique().v.failedTests = newValue }
    }
    public var erroredTests: Int? {
        get { box.v.erroredTests }
        set { unique().v.erroredTests = newValue }
    }
    public var timedOutTests: Int? {
        get { box.v.timedOutTests }
        set { unique().v.timedOutTests = newValue }
    }
    public var successRate: Double? {
        get { box.v.successRate }
        set { unique().v.successRate = newValue }
    }
    public var passAt1: Double? {
        get { box.v.passAt1 }
        set { unique().v.passAt1 = newValue }
    }
    public var avgSteps: Double? {
        get { box.v.avgSteps }
        set { unique().v.avgSteps = newValue }
    }
    public var avgDurationMs: Double? {
        get { box.v.avgDurationMs }
        set { unique().v.avgDurationMs = newValue }
    }
    public var totalDurationMs: Double? {
        get { box.v.totalDurationMs }
        set { unique().v.totalDurationMs = newValue }
    }
    public var totalTokens: Int? {
        get { box.v.totalTokens }
        set { unique().v.totalTokens = newValue }
    }
    public var totalPromptTokens: Int? {
        get { box.v.totalPromptTokens }
        set { unique().v.totalPromptTokens = newValue }
    }
    public var totalCompletionTokens: Int? {
        get { box.v.totalCompletionTokens }
        set { unique().v.totalCompletionTokens = newValue }
    }
    public var totalCostUSD: Double? {
        get { box.v.totalCostUSD }
        set { unique().v.totalCostUSD = newValue }
    }
    public var co2Grams: Double? {
        get { box.v.co2Grams }
        set { unique().v.co2Grams = newValue }
    }
    public var powerCostUSD: Double? {
        get { box.v.powerCostUSD }
        set { unique().v.powerCostUSD = newValue }
    }
    public var gpuUtilizationAvg: Double? {
        get { box.v.gpuUtilizationAvg }
        set { unique().v.gpuUtilizationAvg = newValue }
    }
    public var gpuUtilizationMax: Double? {
        get { box.v.gpuUtilizationMax }
        set { unique().v.gpuUtilizationMax = newValue }
    }
    public var gpuMemoryAvgMiB: Double? {
        get { box.v.gpuMemoryAvgMiB }
        set { unique().v.gpuMemoryAvgMiB = newValue }
    }
    public var gpuMemoryMaxMiB: Double? {
        get { box.v.gpuMemoryMaxMiB }
        set { unique().v.gpuMemoryMaxMiB = newValue }
    }
    public var gpuTemperatureAvg: Double? {
        get { box.v.gpuTemperatureAvg }
        set { unique().v.gpuTemperatureAvg = newValue }
    }
    public var gpuTemperatureMax: Double? {
        get { box.v.gpuTemperatureMax }
        set { unique().v.gpuTemperatureMax = newValue }
    }
    public var gpuPowerAvgW: Double? {
        get { box.v.gpuPowerAvgW }
        set { unique().v.gpuPowerAvgW = newValue }
    }
    public var resultsDataset: String? {
        get { box.v.resultsDataset }
        set { unique().v.resultsDataset = newValue }
    }
    public var tracesDataset: String? {
        get { box.v.tracesDataset }
        set { unique().v.tracesDataset = newValue }
    }
    public var metricsDataset: String? {
        get { box.v.metricsDataset }
        set { unique().v.metricsDataset = newValue }
    }
    public var datasetUsed: String? {
        get { box.v.datasetUsed }
        set { unique().v.datasetUsed = newValue }
    }
    public var notes: String? {
        get { box.v.notes }
        set { unique().v.notes = newValue }
    }
    /// Every field as stored, unknown ones included (shown in generic detail views); from a kept catalog, read from
    /// its text when first asked for.
    public var raw: JSONObject {
        get { box.v.fields.object }
        set { unique().v.setFields(newValue) }
    }
    /// Whether the stored row has a `total_tokens` / `total_cost_usd` field at all (its value may still be unknown):
    /// a recorded figure the row does not carry is "—", one it carries unreadably is "unknown". Kept as made, so
    /// listing 10,000 kept runs parses no row's text.
    public var recordsTokens: Bool { box.v.recordsTokens }
    public var recordsCost: Bool { box.v.recordsCost }
    /// A hash of `raw` (its kinds, keys in order, and values): part of a run's identity in the analysis cache.
    public var rawDigest: UInt64 { box.v.fields.digest }
    /// The timestamp as a number, for sorting (nanoseconds; zone-less times are local).
    public var timestampNs: Int64? {
        get { box.v.timestampNs }
        set { unique().v.timestampNs = newValue }
    }
    /// The text the leaderboard filter searches, lower-cased once.
    public var searchText: String { box.v.searchText }

    public init(json o: JSONObject) { box = Box(Values(json: o)) }

    /// The row in the kept catalog's binary form: every field as it was made, and `raw` as its text.
    func pack(into w: inout PackWriter) { box.v.pack(into: &w) }

    /// A row `pack(into:)` wrote; nil when the bytes are not one.
    init?(unpacking r: inout PackReader, in data: Data) {
        guard let v = Values(unpacking: &r, in: data) else { return nil }
        box = Box(v)
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

    /// The row's fields, kept in one box shared by copies of the row (see `LeaderboardRow`).
    struct Values: Sendable, Equatable {
        var runID: String?
        var model: String
        var agentType: String
        var provider: String?
        var timestamp: String?
        var submittedBy: String?
        var useCase: String?
        var team: String?
        var purpose: String?
        var suiteVersion: String?
        var hardware: String?
        var runStatus: String?
        var runStopReason: String?
        var totalTests: Int?
        var successfulTests: Int?
        var failedTests: Int?
        var erroredTests: Int?
        var timedOutTests: Int?
        var successRate: Double?
        var passAt1: Double?
        var avgSteps: Double?
        var avgDurationMs: Double?
        var totalDurationMs: Double?
        var totalTokens: Int?
        var totalPromptTokens: Int?
        var totalCompletionTokens: Int?
        var totalCostUSD: Double?
        var co2Grams: Double?
        var powerCostUSD: Double?
        var gpuUtilizationAvg: Double?
        var gpuUtilizationMax: Double?
        var gpuMemoryAvgMiB: Double?
        var gpuMemoryMaxMiB: Double?
        var gpuTemperatureAvg: Double?
        var gpuTemperatureMax: Double?
        var gpuPowerAvgW: Double?
        var resultsDataset: String?
        var tracesDataset: String?
        var metricsDataset: String?
        var datasetUsed: String?
        var notes: String?
        var fields: RowFields
        var recordsTokens: Bool
        var recordsCost: Bool
        var timestampNs: Int64?
        var searchText: String

        init(json o: JSONObject) {
            fields = RowFields(o)
            (recordsTokens, recordsCost) = Values.recordedFigures(o)
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

        /// The stored fields, and which recorded figures they carry at all.
        mutating func setFields(_ o: JSONObject) {
            fields = RowFields(o)
            (recordsTokens, recordsCost) = Values.recordedFigures(o)
        }

        /// Whether stored fields have a `total_tokens` and a `total_cost_usd` field (whatever their values).
        static func recordedFigures(_ o: JSONObject) -> (tokens: Bool, cost: Bool) { (o["total_tokens"] != nil, o["total_cost_usd"] != nil) }

        /// Every optional field of the row, by kind: the kept catalog writes a row through these and reads it back in the
        /// same order (`init(unpacking:in:)`; a field added above is added to both; a test checks that a row with every
        /// field set to a value of its own reads back equal). Key paths are immutable.
        nonisolated(unsafe) static let texts: [WritableKeyPath<Values, String?>] = [
            \.runID, \.provider, \.timestamp, \.submittedBy, \.useCase, \.team, \.purpose, \.suiteVersion, \.hardware, \.runStatus,
            \.runStopReason, \.resultsDataset, \.tracesDataset, \.metricsDataset, \.datasetUsed, \.notes,
        ]
        nonisolated(unsafe) static let ints: [WritableKeyPath<Values, Int?>] = [
            \.totalTests, \.successfulTests, \.failedTests, \.erroredTests, \.timedOutTests, \.totalTokens, \.totalPromptTokens,
            \.totalCompletionTokens,
        ]
        nonisolated(unsafe) static let doubles: [WritableKeyPath<Values, Double?>] = [
            \.successRate, \.passAt1, \.avgSteps, \.avgDurationMs, \.totalDurationMs, \.totalCostUSD, \.co2Grams, \.powerCostUSD,
            \.gpuUtilizationAvg, \.gpuUtilizationMax, \.gpuMemoryAvgMiB, \.gpuMemoryMaxMiB, \.gpuTemperatureAvg, \.gpuTemperatureMax,
            \.gpuPowerAvgW,
        ]

        /// The row in the kept catalog's binary form: every field as it was made, and `raw` as its text.
        func pack(into w: inout PackWriter) {
            w.text(model)
            w.text(agentType)
            for k in Values.texts { w.text(self[keyPath: k]) }
            for k in Values.ints { w.int(self[keyPath: k]) }
            for k in Values.doubles { w.double(self[keyPath: k]) }
            w.int(timestampNs)
            w.bool(recordsTokens)
            w.bool(recordsCost)
            w.text(searchText)
            w.word(fields.digest)
            w.raw(fields.text)
        }

        /// A row `pack(into:)` wrote; nil when the bytes are not one. `r` reads `data`, which the row's stored fields
        /// keep a range of.
        init?(unpacking r: inout PackReader, in data: Data) {
            // In the order of `texts`, `ints` and `doubles`, assigned directly (a key path's assignment costs more than
            // the read: 39 of them for each of 10,000 rows).
            guard let model = r.text(), let agentType = r.text(),
                let runID = r.optionalText(), let provider = r.optionalText(), let timestamp = r.optionalText(), let submittedBy = r.optionalText(),
                let useCase = r.optionalText(), let team = r.optionalText(), let purpose = r.optionalText(), let suiteVersion = r.optionalText(),
                let hardware = r.optionalText(), let runStatus = r.optionalText(), let runStopReason = r.optionalText(),
                let resultsDataset = r.optionalText(), let tracesDataset = r.optionalText(), let metricsDataset = r.optionalText(),
                let datasetUsed = r.optionalText(), let notes = r.optionalText(),
                let totalTests = r.optionalInt(), let successfulTests = r.optionalInt(), let failedTests = r.optionalInt(),
                let erroredTests = r.optionalInt(), let timedOutTests = r.optionalInt(), let totalTokens = r.optionalInt(),
                let totalPromptTokens = r.optionalInt(), let totalCompletionTokens = r.optionalInt(),
                let successRate = r.optionalDouble(), let passAt1 = r.optionalDouble(), let avgSteps = r.optionalDouble(),
                let avgDurationMs = r.optionalDouble(), let totalDurationMs = r.optionalDouble(), let totalCostUSD = r.optionalDouble(),
                let co2Grams = r.optionalDouble(), let powerCostUSD = r.optionalDouble(), let gpuUtilizationAvg = r.optionalDouble(),
                let gpuUtilizationMax = r.optionalDouble(), let gpuMemoryAvgMiB = r.optionalDouble(), let gpuMemoryMaxMiB = r.optionalDouble(),
                let gpuTemperatureAvg = r.optionalDouble(), let gpuTemperatureMax = r.optionalDouble(), let gpuPowerAvgW = r.optionalDouble(),
                let ts = r.optionalInt64(), let tokens = r.bool(), let cost = r.bool(), let search = r.text(), let digest = r.word(),
                let text = r.rawRange()
            else { return nil }
            // One by one: a tuple of them assigned at once copied the whole row (its strings counted) for each tuple.
            self.model = model
            self.agentType = agentType
            self.runID = runID
            self.provider = provider
            self.timestamp = timestamp
            self.submittedBy = submittedBy
            self.useCase = useCase
            self.team = team
            self.purpose = purpose
            self.suiteVersion = suiteVersion
            self.hardware = hardware
            self.runStatus = runStatus
            self.runStopReason = runStopReason
            self.resultsDataset = resultsDataset
            self.tracesDataset = tracesDataset
            self.metricsDataset = metricsDataset
            self.datasetUsed = datasetUsed
            self.notes = notes
            self.totalTests = totalTests
            self.successfulTests = successfulTests
            self.failedTests = failedTests
            self.erroredTests = erroredTests
            self.timedOutTests = timedOutTests
            self.totalTokens = totalTokens
            self.totalPromptTokens = totalPromptTokens
            self.totalCompletionTokens = totalCompletionTokens
            self.successRate = successRate
            self.passAt1 = passAt1
            self.avgSteps = avgSteps
            self.avgDurationMs = avgDurationMs
            self.totalDurationMs = totalDurationMs
            self.totalCostUSD = totalCostUSD
            self.co2Grams = co2Grams
            self.powerCostUSD = powerCostUSD
            self.gpuUtilizationAvg = gpuUtilizationAvg
            self.gpuUtilizationMax = gpuUtilizationMax
            self.gpuMemoryAvgMiB = gpuMemoryAvgMiB
            self.gpuMemoryMaxMiB = gpuMemoryMaxMiB
            self.gpuTemperatureAvg = gpuTemperatureAvg
            self.gpuTemperatureMax = gpuTemperatureMax
            self.gpuPowerAvgW = gpuPowerAvgW
            timestampNs = ts
            recordsTokens = tokens
            recordsCost = cost
            searchText = search
            fields = RowFields(text: data, text, digest: digest)
        }
    }
}

/// A row's fields as stored: the parsed object, or (from a kept catalog) its compact JSON text, parsed when first
/// asked for, and their digest, made when first asked for (a kept catalog holds it). Listing, sorting and filtering
/// 10,000 kept runs read none of them.
final class RowFields: @unchecked Sendable, Equatable {
    /// Locks shared by all rows, one picked by the row's address: a kept catalog of 10,000 rows made no lock of its
    /// own for each (two allocations a row), and a row's fields are parsed once if ever.
    private static let locks = (0..<64).map { _ in Lock() }
    private var lock: Lock { RowFields.locks[Int(UInt(bitPattern: ObjectIdentifier(self).hashValue) % 64)] }
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
