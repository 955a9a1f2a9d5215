import FoundationEssentials
import TraceMindFormats

/// The kept form of traces' summaries (`SummaryCache`): the binary form of `PackWriter`, every field in a fixed order,
/// doubles as their bits (they read back exactly). Kept as JSON through `Codable`, a real run of 178 tests read before
/// opened barely faster than read afresh (0.023 s against 0.025 s; 0.014–0.018 s in this form). A field added to a
/// summary is added to both `pack` and `init(unpacking:)` (a test checks that a summary with every field set reads
/// back equal).
extension TraceSummary {
    func pack(into w: inout PackWriter) {
        w.text(traceID)
        w.text(runID)
        w.texts(testIDs)
        w.texts(testCaseUIDs)
        w.text(rootTestID)
        w.text(rootAgentType)
        w.text(rootName)
        w.int(spanCount)
        w.int(startNs)
        w.double(wallMs)
        tokens.pack(into: &w)
        cost.pack(into: &w)
        w.int(llmCalls)
        w.int(toolCalls)
        w.int(errorCount)
        w.text(rootError)
        TraceSummary.pack(tokensByModel, into: &w, key: { $0 }) { $0.pack(into: &$1) }
        TraceSummary.pack(costByModel, into: &w, key: { $0 }) { $0.pack(into: &$1) }
        TraceSummary.pack(costByCategory, into: &w, key: { $0.rawValue }) { $0.pack(into: &$1) }
        w.int(recordedTotalTokens)
        w.double(recordedTotalDurationMs)
        w.double(recordedTotalCostUSD)
        w.uint(UInt64(ttft.count))
        for v in ttft { w.double(v) }
        w.uint(UInt64(tbt.count))
        for v in tbt { w.double(v) }
        w.double(firstTTFT)
        w.text(location.path)
        w.bool(location.byteRange != nil)
        if let r = location.byteRange {
            w.int(r.lowerBound)
            w.int(r.upperBound)
        }
        w.int(location.rowGroup)
        w.int(location.index)
        w.int(location.fileSize)
    }

    /// A summary `pack(into:)` wrote; nil when the bytes are not one.
    init?(unpacking r: inout PackReader) {
        guard let traceID = r.text(), let runID = r.optionalText(), let testIDs = r.texts(), let testCaseUIDs = r.texts(),
            let rootTestID = r.optionalText(), let rootAgentType = r.optionalText(), let rootName = r.optionalText(), let spanCount = r.int(),
            let startNs = r.optionalInt64(), let wallMs = r.double(), let tokens = TokenCounts(unpacking: &r), let cost = CostSum(unpacking: &r),
            let llmCalls = r.int(), let toolCalls = r.int(), let errorCount = r.int(), let rootError = r.optionalText(),
            let tokensByModel = TraceSummary.table(&r, key: { $0 }, value: { TokenCounts(unpacking: &$0) }),
            let costByModel = TraceSummary.table(&r, key: { $0 }, value: { CostSum(unpacking: &$0) }),
            let costByCategory = TraceSummary.table(&r, key: SpanCategory.init(rawValue:), value: { CostSum(unpacking: &$0) }),
            let recordedTotalTokens = r.optionalInt(), let recordedTotalDurationMs = r.optionalDouble(), let recordedTotalCostUSD = r.optionalDouble(),
            let ttft = TraceSummary.doubles(&r), let tbt = TraceSummary.doubles(&r), let firstTTFT = r.optionalDouble(), let path = r.text(),
            let hasRange = r.bool()
        else { return nil }
        var byteRange: Range<Int>?
        if hasRange {
            guard let lo = r.int(), let hi = r.int(), lo <= hi else { return nil }
            byteRange = lo..<hi
        }
        guard let rowGroup = r.optionalInt(), let index = r.int(), let fileSize = r.optionalInt() else { return nil }
        self.traceID = traceID
        self.runID = runID
        self.testIDs = testIDs
        self.testCaseUIDs = testCaseUIDs
        self.rootTestID = rootTestID
        self.rootAgentType = rootAgentType
        self.rootName = rootName
        self.spanCount = spanCount
        self.startNs = startNs
        self.wallMs = wallMs
        self.tokens = tokens
        self.cost = cost
        self.llmCalls = llmCalls
        self.toolCalls = toolCalls
        self.errorCount = errorCount
        self.rootError = rootError
        self.tokensByModel = tokensByModel
        self.costByModel = costByModel
        self.costByCategory = costByCategory
        self.recordedTotalTokens = recordedTotalTokens
        self.recordedTotalDurationMs = recordedTotalDurationMs
        self.recordedTotalCostUSD = recordedTotalCostUSD
        self.ttft = ttft
        self.tbt = tbt
        self.firstTTFT = firstTTFT
        location = TraceLocation(path: path, byteRange: byteRange, rowGroup: rowGroup, index: index, fileSize: fileSize)
    }

    /// A table as `table(_:key:value:)` reads it: its count, then each key's text and its value, by the keys' texts.
    static func pack<K, V>(_ d: [K: V], into w: inout PackWriter, key: (K) -> String, value: (V, inout PackWriter) -> Void) {
        w.uint(UInt64(d.count))
        for (k, v) in d.map({ (key($0.key), $0.value) }).sorted(by: { $0.0 < $1.0 }) {
            w.text(k)
            value(v, &w)
        }
    }

    /// A table `pack` wrote: its count, then each key (a text) and value.
    static func table<K: Hashable, V>(_ r: inout PackReader, key: (String) -> K?, value: (inout PackReader) -> V?) -> [K: V]? {
        guard let n = r.count() else { return nil }
        var out: [K: V] = [:]
        out.reserveCapacity(n)
        for _ in 0..<n {
            guard let k = r.text().flatMap(key), let v = value(&r) else { return nil }
            out[k] = v
        }
        return out
    }

    /// A list of doubles `pack` wrote: its count, then each one's bits.
    static func doubles(_ r: inout PackReader) -> [Double]? {
        guard let n = r.count() else { return nil }
        var out: [Double] = []
        out.reserveCapacity(n)
        for _ in 0..<n {
            guard let v = r.double() else { return nil }
            out.append(v)
        }
        return out
    }
}
