import Foundation

/// Which dataset a standalone file holds, detected from its shape (never from a version number).
public enum DatasetKind: String, Sendable {
    case leaderboard, results, traces, metrics, unknown

    static func detect(_ o: JSONObject) -> DatasetKind {
        if o["spans"] != nil || o["resourceSpans"] != nil { return .traces }
        if o["resourceMetrics"] != nil || o["aggregates"] != nil { return .metrics }
        // Results rows carry `span_id` too (the root span, 0.1.1+): test them first.
        if (o["task_id"] != nil || o["test_id"] != nil) && (o["success"] != nil || o["prompt"] != nil || o["steps"] != nil) {
            return .results
        }
        if (o["span_id"] != nil || o["spanId"] != nil) && (o["name"] != nil || o["operation_name"] != nil) { return .traces }
        if o["success_rate"] != nil || o["total_tests"] != nil || o["num_tests"] != nil || o["results_dataset"] != nil
            || o["run_status"] != nil
        {
            return .leaderboard
        }
        return .unknown
    }
}

/// Reading dataset files with one clear diagnostic per problem.
enum DatasetFiles {
    /// Reads and checks a file is text JSON. Returns nil (with a diagnostic) when it cannot be used.
    static func readData(_ fs: DataFileSystem, _ path: String, into diags: inout [Diagnostic]) -> Data? {
        let data: Data
        do { data = try fs.read(path) } catch {
            diags.append(Diagnostic(path: path, "\(error)"))
            return nil
        }
        if data.isEmpty {
            diags.append(Diagnostic(path: path, "the file is empty"))
            return nil
        }
        let head = data.prefix(8192)
        if head.contains(0) {
            diags.append(Diagnostic(path: path, "binary data, not JSON (a NUL byte in the first 8 KB)"))
            return nil
        }
        return data
    }

    /// A whole JSON document.
    static func readJSON(_ fs: DataFileSystem, _ path: String, into diags: inout [Diagnostic]) -> JSON? {
        guard let data = readData(fs, path, into: &diags) else { return nil }
        do { return try JSONParser.parse(data) } catch {
            diags.append(Diagnostic(path: path, "invalid JSON: \(error)"))
            return nil
        }
    }

    static func isJSONL(_ path: String) -> Bool {
        let l = path.lowercased()
        return l.hasSuffix(".jsonl") || l.hasSuffix(".ndjson")
    }

    /// The records of a file: their byte ranges (JSON Lines, or the elements of a top-level array), found by one
    /// structural scan. A truncated or malformed array gives one diagnostic and the records before the problem.
    struct Records {
        let data: Data
        let ranges: [Range<Int>]
        /// Line numbers of JSON Lines records (for messages); nil for arrays.
        let lines: [Int]?
        func label(_ k: Int) -> String { lines.map { "line \($0[k])" } ?? "record \(k + 1)" }
    }

    static func records(_ fs: DataFileSystem, _ path: String, into diags: inout [Diagnostic]) -> Records? {
        guard let data = readData(fs, path, into: &diags) else { return nil }
        if isJSONL(path) || (!startsWithArray(data) && hasManyTopLevelLines(data)) {
            var ranges: [Range<Int>] = []
            var lines: [Int] = []
            data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
                var start = 0
                var lineNo = 0
                let n = raw.count
                while start < n {
                    var end = start
                    if let hit = memchr(raw.baseAddress! + start, 0x0A, n - start) {
                        end = raw.baseAddress!.distance(to: UnsafeRawPointer(hit))
                    } else {
                        end = n
                    }
                    lineNo += 1
                    if !raw[start..<end].allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) {
                        ranges.append(start..<end)
                        lines.append(lineNo)
                    }
                    start = end + 1
                }
            }
            return Records(data: data, ranges: ranges, lines: lines)
        }
        let (ranges, err) = JSONParser.elementRanges(data)
        if let err {
            diags.append(Diagnostic(path: path, ranges.isEmpty ? "invalid JSON: \(err)" : "invalid JSON: \(err); the first \(ranges.count) records loaded"))
            if ranges.isEmpty { return nil }
        }
        return Records(data: data, ranges: ranges, lines: nil)
    }

    static func reportBad(_ bad: Int, first: String?, good: Int, path: String, into diags: inout [Diagnostic]) {
        guard bad > 0, let first else { return }
        diags.append(
            Diagnostic(
                path: path,
                bad == 1 ? "invalid JSON on \(first); the other \(good) records loaded"
                    : "\(bad) invalid records (first: \(first)); the other \(good) records loaded"))
    }

    /// Calls `body` for every record of a `.json` array (or single object) or `.jsonl` file, with its byte range.
    /// A record that does not parse is skipped and reported (once per file, with the first one's place).
    static func forEachRecord(
        _ fs: DataFileSystem, _ path: String, into diags: inout [Diagnostic],
        progress: ((Double) -> Void)? = nil, isCancelled: (() -> Bool)? = nil, maxStringBytes: Int = .max,
        _ body: (JSON, Range<Int>) -> Void
    ) -> Bool {
        guard let recs = records(fs, path, into: &diags) else { return false }
        let total = Double(max(1, recs.data.count))
        var lastReport = 0
        var bad = 0, good = 0
        var firstBad: String?
        for (k, r) in recs.ranges.enumerated() {
            if isCancelled?() == true { return true }
            do throws(JSONParseError) {
                let v = try JSONParser.parse(recs.data, range: r, maxStringBytes: maxStringBytes)
                good += 1
                body(v, r)
            } catch {
                bad += 1
                if firstBad == nil { firstBad = "\(recs.label(k)): \(error.message)" }
            }
            if let progress, r.upperBound - lastReport > 1 << 20 {
                lastReport = r.upperBound
                progress(Double(r.upperBound) / total)
            }
        }
        progress?(1)
        reportBad(bad, first: firstBad, good: good, path: path, into: &diags)
        return good > 0 || bad == 0
    }

    /// Parses every record and transforms it, on all cores (records are independent: trace documents), keeping the
    /// file's order. `transform` gets the record, its byte range and its index.
    static func mapRecords<T: Sendable>(
        _ fs: DataFileSystem, _ path: String, into diags: inout [Diagnostic],
        progress: (@Sendable (Double) -> Void)? = nil, isCancelled: (@Sendable () -> Bool)? = nil, maxStringBytes: Int = .max,
        _ transform: @Sendable (JSON, Range<Int>, Int) -> T?
    ) -> [T] {
        guard let recs = records(fs, path, into: &diags) else { return [] }
        let n = recs.ranges.count
        guard n > 0 else { return [] }
        let slots = RecordSlots<T>(count: n)
        let out = slots.buffer
        let workers = max(1, ProcessInfo.processInfo.activeProcessorCount)
        let chunks = min(n, workers * 4)
        let done = ProgressCounter(total: n, progress: progress)
        DispatchQueue.concurrentPerform(iterations: chunks) { c in
            let out = slots.buffer
            let lo = c * n / chunks, hi = (c + 1) * n / chunks
            for k in lo..<hi {
                if isCancelled?() == true { return }
                do throws(JSONParseError) {
                    let v = try JSONParser.parse(recs.data, range: recs.ranges[k], maxStringBytes: maxStringBytes)
                    if let t = transform(v, recs.ranges[k], k) { out[k] = .value(t) }
                } catch {
                    out[k] = .failed("\(recs.label(k)): \(error.message)")
                }
            }
            done.add(hi - lo)
        }
        var result: [T] = []
        result.reserveCapacity(n)
        var bad = 0
        var firstBad: String?
        for k in 0..<n {
            switch out[k] {
            case .value(let t): result.append(t)
            case .failed(let m):
                bad += 1
                if firstBad == nil { firstBad = m }
            case .empty: break
            }
        }
        reportBad(bad, first: firstBad, good: n - bad, path: path, into: &diags)
        return result
    }

    static func startsWithArray(_ d: Data) -> Bool {
        for b in d.prefix(4096) {
            if b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 { continue }
            if b == 0xEF || b == 0xBB || b == 0xBF { continue }  // BOM
            return b == UInt8(ascii: "[")
        }
        return false
    }

    /// `{…}\n{…}` with no enclosing array: JSON Lines even without the extension.
    static func hasManyTopLevelLines(_ d: Data) -> Bool {
        guard let firstBrace = d.firstIndex(where: { $0 == UInt8(ascii: "{") }) else { return false }
        guard let nl = d[firstBrace...].firstIndex(of: 0x0A) else { return false }
        let before = d[d.index(before: nl)...d.index(before: nl)]
        let rest = d[d.index(after: nl)...].first { !($0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09) }
        return before.first == UInt8(ascii: "}") && rest == UInt8(ascii: "{")
    }
}

/// One record's outcome in a parallel pass.
enum RecordSlot<T> {
    case empty
    case value(T)
    case failed(String)
}

/// The results of a parallel pass: each index is written by exactly one worker, then read after all finish.
final class RecordSlots<T>: @unchecked Sendable {
    let buffer: UnsafeMutableBufferPointer<RecordSlot<T>>
    init(count: Int) {
        buffer = .allocate(capacity: count)
        buffer.initialize(repeating: .empty)
    }
    deinit {
        buffer.deinitialize()
        buffer.deallocate()
    }
}

/// Counts finished records from worker threads and reports progress.
final class ProgressCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var done = 0
    private let total: Int
    private let progress: (@Sendable (Double) -> Void)?
    init(total: Int, progress: (@Sendable (Double) -> Void)?) {
        self.total = total
        self.progress = progress
    }
    func add(_ k: Int) {
        let d = lock.withLock { () -> Int in
            done += k
            return done
        }
        progress?(Double(d) / Double(max(1, total)))
    }
}
