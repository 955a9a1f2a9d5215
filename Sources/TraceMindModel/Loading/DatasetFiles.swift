import Dispatch
import FoundationEssentials
import TraceMindFormats

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

/// Reading dataset files with one clear diagnostic per problem. A dataset is a JSON or JSON Lines file, a Parquet
/// file, or a folder of them (a Hub dataset repository: `data/train-00000-of-00002.parquet`, …), told apart by their
/// bytes, not their names.
public enum DatasetFiles {
    public static let dataExtensions = [".parquet", ".json", ".jsonl", ".ndjson"]

    /// The files of a dataset location: the file itself, or the data files under a dataset folder, in name order.
    static func files(_ fs: DataFileSystem, _ path: String, into diags: inout [Diagnostic]) -> [String] {
        guard fs.isDirectory(path) else { return [path] }
        var out: [String] = []
        func collect(_ dir: String, _ depth: Int) {
            guard depth < 4, let names = try? fs.list(dir) else { return }
            for n in names where !n.hasPrefix(".") {
                let p = PathUtil.join(dir, n)
                if fs.isDirectory(p) {
                    collect(p, depth + 1)
                } else if dataExtensions.contains(where: { n.lowercased().hasSuffix($0) }) {
                    out.append(p)
                }
            }
        }
        collect(path, 0)
        if out.isEmpty { diags.append(Diagnostic(path: path, "no .parquet or .json data files in this dataset folder")) }
        return out.sorted()
    }

    static func isParquet(_ d: Data) -> Bool {
        d.count >= 4 && d.prefix(4).elementsEqual([0x50, 0x41, 0x52, 0x31])
    }

    /// Reads a file. Returns nil (with a diagnostic) when it cannot be read or is empty. A file that kept changing
    /// while it was read is used as read, with a warning.
    static func readBytes(_ fs: DataFileSystem, _ path: String, into diags: inout [Diagnostic]) -> Data? {
        let data: Data
        do {
            let got = try fs.readFile(path)
            data = got.data
            if got.changedWhileReading {
                diags.append(Diagnostic(path: path, "changed while reading (\(data.count) bytes read); loaded as read, press r to reload"))
            }
        } catch {
            diags.append(Diagnostic(path: path, "\(error)"))
            return nil
        }
        if data.isEmpty {
            diags.append(Diagnostic(path: path, "the file is empty"))
            return nil
        }
        return data
    }

    /// A whole JSON document (a Parquet file where JSON is expected is said so).
    /// `keys`: a worker's key table, shared by the many small documents it reads.
    static func readJSON(_ fs: DataFileSystem, _ path: String, keys: JSONKeyTable? = nil, into diags: inout [Diagnostic]) -> JSON? {
        guard let data = readBytes(fs, path, into: &diags) else { return nil }
        if isParquet(data) {
            diags.append(Diagnostic(path: path, "a Parquet file where a JSON document is expected"))
            return nil
        }
        return parseJSON(data, path, keys: keys, into: &diags)
    }

    /// A whole JSON document from bytes already read (checked for Parquet and binary data).
    static func parseJSON(_ data: Data, _ path: String, keys: JSONKeyTable? = nil, into diags: inout [Diagnostic]) -> JSON? {
        if DatasetFiles.hasNUL(data, within: 8192) {
            diags.append(Diagnostic(path: path, "binary data, neither JSON nor Parquet (a NUL byte in the first 8 KB)"))
            return nil
        }
        do { return try JSONParser.parse(data, range: 0..<data.count, keys: keys) } catch {
            diags.append(Diagnostic(path: path, "invalid JSON: \(error)"))
            return nil
        }
    }

    /// Opens a Parquet file (metadata only), or explains why it cannot be.
    static func parquet(_ data: Data, _ path: String, into diags: inout [Diagnostic]) -> ParquetFile? {
        do { return try ParquetFile(data: data, name: PathUtil.basename(path)) } catch {
            diags.append(Diagnostic(path: path, error.message))
            return nil
        }
    }

    /// A data file, opened by its first bytes: a Parquet file by its footer (read by range, never whole), anything
    /// else read into memory.
    enum Opened {
        case parquet(ParquetFile)
        case text(Data)
    }

    static func open(_ fs: DataFileSystem, _ path: String, into diags: inout [Diagnostic]) -> Opened? {
        let head: [UInt8]
        do { head = try fs.readPrefix(path, 4) } catch {
            diags.append(Diagnostic(path: path, "\(error)"))
            return nil
        }
        if head.elementsEqual([0x50, 0x41, 0x52, 0x31]) {
            guard let pq = openParquet(fs, path, into: &diags) else { return nil }
            return .parquet(pq)
        }
        guard let data = readBytes(fs, path, into: &diags) else { return nil }
        // Rewritten into Parquet between the two reads: read what is there now.
        if isParquet(data) { return parquet(data, path, into: &diags).map { .parquet($0) } }
        return .text(data)
    }

    /// A Parquet file read by range from the file system.
    static func openParquet(_ fs: DataFileSystem, _ path: String, into diags: inout [Diagnostic]) -> ParquetFile? {
        do { return try ParquetFile(source: FileParquetBytes(fs: fs, path: path), name: PathUtil.basename(path)) } catch {
            diags.append(Diagnostic(path: path, error.message))
            return nil
        }
    }

    /// Every record of a dataset location as one list: the elements of a JSON array, a single JSON object, JSON Lines,
    /// or Parquet rows (for small datasets: metrics).
    static func allRecords(_ fs: DataFileSystem, _ path: String, into diags: inout [Diagnostic]) -> [JSON]? {
        var out: [JSON] = []
        var any = false
        for f in files(fs, path, into: &diags) {
            guard let opened = open(fs, f, into: &diags) else { continue }
            if case .text(let data) = opened, !isJSONL(f), !hasManyTopLevelLines(data) {
                guard let j = parseJSON(data, f, into: &diags) else { continue }
                any = true
                if let a = j.arrayValue { out += a } else { out.append(j) }
                continue
            }
            any = forEachRecordInFile(fs, f, opened: opened, into: &diags, progress: nil, isCancelled: nil, maxStringBytes: .max) { v, _ in out.append(v) } || any
        }
        return any ? out : nil
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

    static func records(_ data: Data, _ path: String, into diags: inout [Diagnostic]) -> Records? {
        if DatasetFiles.hasNUL(data, within: 8192) {
            diags.append(Diagnostic(path: path, "binary data, neither JSON nor Parquet (a NUL byte in the first 8 KB)"))
            return nil
        }
        if isJSONL(path) || (!startsWithArray(data) && hasManyTopLevelLines(data)) {
            let found = JSONParser.lineRanges(data)
            let ranges = found.map(\.range), lines = found.map(\.line)
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

    /// The rows of one Parquet row group, transformed (on all cores), or a diagnostic saying why they cannot be read.
    static func parquetRows<T>(
        _ pq: ParquetFile, _ g: Int, path: String, maxStringBytes: Int, into diags: inout [Diagnostic], _ transform: (JSON, Int) -> T?
    ) -> [T]? {
        do { return try pq.mapRows(rowGroup: g, maxStringBytes: maxStringBytes, transform) } catch {
            let before = pq.rowGroups.prefix(g).reduce(0) { $0 + $1.numRows }
            diags.append(Diagnostic(path: path, before > 0 ? "\(error.message); the first \(before) rows loaded" : error.message))
            return nil
        }
    }

    /// Calls `body` for every record of a dataset (JSON array or object, JSON Lines, Parquet rows; a folder of them),
    /// with its place. A record that does not parse is skipped and reported (once per file, with the first one's place).
    static func forEachRecord(
        _ fs: DataFileSystem, _ path: String, into diags: inout [Diagnostic],
        progress: ((Double) -> Void)? = nil, isCancelled: (() -> Bool)? = nil, maxStringBytes: Int = .max,
        _ body: (JSON, TraceLocation) -> Void
    ) -> Bool {
        let files = files(fs, path, into: &diags)
        var ok = false
        for (k, f) in files.enumerated() {
            let scaled: ((Double) -> Void)? = progress.map { p in { p((Double(k) + $0) / Double(files.count)) } }
            guard let opened = open(fs, f, into: &diags) else { continue }
            ok = forEachRecordInFile(fs, f, opened: opened, into: &diags, progress: scaled, isCancelled: isCancelled, maxStringBytes: maxStringBytes, body) || ok
        }
        return ok
    }

    static func forEachRecordInFile(
        _ fs: DataFileSystem, _ path: String, opened: Opened, into diags: inout [Diagnostic],
        progress: ((Double) -> Void)?, isCancelled: (() -> Bool)?, maxStringBytes: Int,
        _ body: (JSON, TraceLocation) -> Void
    ) -> Bool {
        let data: Data
        switch opened {
        case .text(let d): data = d
        case .parquet(let pq):
            for g in pq.rowGroups.indices {
                if isCancelled?() == true { return true }
                guard let rows = parquetRows(pq, g, path: path, maxStringBytes: maxStringBytes, into: &diags, { r, _ in r }) else { return g > 0 }
                for (i, r) in rows.enumerated() { body(r, TraceLocation(path: path, rowGroup: g, index: i, fileSize: pq.source.count)) }
                progress?(Double(g + 1) / Double(pq.rowGroups.count))
            }
            return true
        }
        guard let recs = records(data, path, into: &diags) else { return false }
        let total = Double(max(1, recs.data.count))
        var lastReport = 0
        var bad = 0, good = 0
        var firstBad: String?
        let keys = JSONKeyTable()
        for (k, r) in recs.ranges.enumerated() {
            if isCancelled?() == true { return true }
            do throws(JSONParseError) {
                let v = try JSONParser.parse(recs.data, range: r, maxStringBytes: maxStringBytes, keys: keys)
                good += 1
                body(v, TraceLocation(path: path, byteRange: r, index: k, fileSize: recs.data.count))
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
    /// dataset's order. `transform` gets the record and its place.
    static func mapRecords<T: Sendable>(
        _ fs: DataFileSystem, _ path: String, into diags: inout [Diagnostic],
        progress: (@Sendable (Double) -> Void)? = nil, isCancelled: (@Sendable () -> Bool)? = nil, maxStringBytes: Int = .max,
        large: LargeRecords<T>? = nil, mapped: Bool = false, _ transform: @Sendable (JSON, TraceLocation) -> T?
    ) -> [T] {
        let files = files(fs, path, into: &diags)
        var out: [T] = []
        for (k, f) in files.enumerated() {
            let scaled: (@Sendable (Double) -> Void)? = progress.map { p in { @Sendable in p((Double(k) + $0) / Double(files.count)) } }
            out += mapRecordsInFile(fs, f, into: &diags, progress: scaled, isCancelled: isCancelled, maxStringBytes: maxStringBytes, large: large, mapped: mapped, transform)
        }
        return out
    }

    /// `mapped`: what the records make keeps none of the file's bytes (summaries), so a JSON file large enough is
    /// mapped for the pass instead of read (`DataFileSystem.mapForOnePass`); what was made from a file that changed
    /// under the mapping is dropped and the file read again as usual.
    static func mapRecordsInFile<T: Sendable>(
        _ fs: DataFileSystem, _ path: String, into diags: inout [Diagnostic],
        progress: (@Sendable (Double) -> Void)?, isCancelled: (@Sendable () -> Bool)?, maxStringBytes: Int,
        large: LargeRecords<T>? = nil, mapped: Bool = false, _ transform: @Sendable (JSON, TraceLocation) -> T?
    ) -> [T] {
        if mapped, let m = fs.mapForOnePass(path), !isParquet(m.data) {
            var got: [Diagnostic] = []
            let out = textRecordsInFile(m.data, path, into: &got, progress: progress, isCancelled: isCancelled, maxStringBytes: maxStringBytes, large: large, transform)
            if m.unchanged() {
                diags += got
                return out
            }
        }
        guard let opened = open(fs, path, into: &diags) else { return [] }
        let data: Data
        switch opened {
        case .text(let d): data = d
        case .parquet(let pq):
            var result: [T] = []
            for g in pq.rowGroups.indices {
                if isCancelled?() == true { break }
                guard let rows = parquetRows(pq, g, path: path, maxStringBytes: maxStringBytes, into: &diags, { r, i in
                    transform(r, TraceLocation(path: path, rowGroup: g, index: i, fileSize: pq.source.count))
                }) else { break }
                result += rows
                progress?(Double(g + 1) / Double(pq.rowGroups.count))
            }
            return result
        }
        return textRecordsInFile(data, path, into: &diags, progress: progress, isCancelled: isCancelled, maxStringBytes: maxStringBytes, large: large, transform)
    }

    /// The records of a file of JSON text (an array, one document, JSON Lines) made on all cores (see `mapRecords`).
    static func textRecordsInFile<T: Sendable>(
        _ data: Data, _ path: String, into diags: inout [Diagnostic],
        progress: (@Sendable (Double) -> Void)?, isCancelled: (@Sendable () -> Bool)?, maxStringBytes: Int,
        large: LargeRecords<T>?, _ transform: @Sendable (JSON, TraceLocation) -> T?
    ) -> [T] {
        if !isJSONL(path), !DatasetFiles.hasNUL(data, within: 8192), let guessed = JSONParser.indentedElementRanges(data) {
            // Elements found from the layout on all cores; kept only if every one parses whole (see there). The
            // first that does not stops every worker.
            let r = parseRecords(data, guessed, path: path, maxStringBytes: maxStringBytes, progress: progress, isCancelled: isCancelled, stopAtFailure: true, large: large, transform)
            if isCancelled?() == true { return [] }
            if r.failures == 0 { return r.values }
        }
        guard let recs = records(data, path, into: &diags) else { return [] }
        let r = parseRecords(recs.data, recs.ranges, path: path, maxStringBytes: maxStringBytes, progress: progress, isCancelled: isCancelled, stopAtFailure: false, large: large, transform)
        reportBad(r.failures, first: r.firstFailure.map { "\(recs.label($0.index)): \($0.message)" }, good: recs.ranges.count - r.failures, path: path, into: &diags)
        return r.values
    }

    /// Parses every range and transforms it, on all cores, in runs of consecutive records per worker. Only what the
    /// transform makes is kept, run by run, so memory follows the records made, not the ranges read (a hostile
    /// array of ten million numbers makes nothing). `stopAtFailure`: the first record that does not parse stops
    /// every worker. `transform` must not act on anything else: what it made may be thrown away.
    static func parseRecords<T>(
        _ data: Data, _ ranges: [Range<Int>], path: String, maxStringBytes: Int, progress: (@Sendable (Double) -> Void)?,
        isCancelled: (@Sendable () -> Bool)?, stopAtFailure: Bool, large: LargeRecords<T>? = nil,
        _ transform: @Sendable (JSON, TraceLocation) -> T?
    ) -> (values: [T], failures: Int, firstFailure: (index: Int, message: String)?) {
        let n = ranges.count
        guard n > 0 else { return ([], 0, nil) }
        let workers = Parallel.cores
        // Sixteen runs a core, handed out as cores come free: records differ in size (a trace of 4 spans, one of
        // 400), and with four a core the last run kept one core busy alone for a tenth of the pass.
        let chunks = min(n, workers * 16)
        let runs = UnsafeMutableBufferPointer<RecordRun<T>>.allocate(capacity: chunks)
        runs.initialize(repeating: RecordRun())
        defer {
            runs.deinitialize()
            runs.deallocate()
        }
        let failed = FailureNote()
        let done = ProgressCounter(total: n, progress: progress)
        let shared = UncheckedBox(runs)
        let tables = JSONKeyTables()
        withoutActuallyEscaping(transform) { transform in
            let box = UncheckedBox(transform)
            Parallel.perform(iterations: chunks) { c in tables.with { keys in
                var run = RecordRun<T>()
                let lo = c * n / chunks, hi = (c + 1) * n / chunks
                for k in lo..<hi {
                    if isCancelled?() == true || (stopAtFailure && failed.isSet) { break }
                    do throws(JSONParseError) {
                        if let large, ranges[k].count >= large.minimumBytes {
                            // Made after this pass, with every core to itself (work nested in this pass runs on one).
                            run.deferred.append((run.values.count, k))
                            continue
                        }
                        if let small = large?.small,
                            let made = try small(data, ranges[k], TraceLocation(path: path, byteRange: ranges[k], index: k, fileSize: data.count), keys)
                        {
                            if let t = made { run.values.append(t) }
                            continue
                        }
                        let v = try JSONParser.parse(data, range: ranges[k], maxStringBytes: maxStringBytes, keys: keys)
                        if let t = box.value(v, TraceLocation(path: path, byteRange: ranges[k], index: k, fileSize: data.count)) { run.values.append(t) }
                    } catch {
                        run.failures += 1
                        if run.first == nil { run.first = (k, error.message) }
                        if stopAtFailure {
                            failed.set()
                            break
                        }
                    }
                }
                shared.value[c] = run
                done.add(hi - lo)
            } }
        }
        var values: [T] = []
        values.reserveCapacity(runs.reduce(0) { $0 + $1.values.count + $1.deferred.count })
        var failures = 0
        var first: (index: Int, message: String)?
        for c in 0..<chunks {
            var taken = 0
            for (position, k) in runs[c].deferred {
                values += runs[c].values[taken..<position]
                taken = position
                if isCancelled?() == true || (stopAtFailure && failures > 0) { break }
                do throws(JSONParseError) {
                    if let t = try makeLarge(data, ranges[k], index: k, path: path, maxStringBytes: maxStringBytes, large: large!, transform) {
                        values.append(t)
                    }
                } catch {
                    failures += 1
                    if first == nil || k < first!.index { first = (k, error.message) }
                }
            }
            values += runs[c].values[taken...]
            failures += runs[c].failures
            if let f = runs[c].first, first == nil || f.index < first!.index { first = f }
        }
        return (values, failures, first)
    }

    /// One large record: made by `large`, or parsed and transformed as usual when `large` leaves it.
    static func makeLarge<T>(
        _ data: Data, _ range: Range<Int>, index k: Int, path: String, maxStringBytes: Int, large: LargeRecords<T>,
        _ transform: @Sendable (JSON, TraceLocation) -> T?
    ) throws(JSONParseError) -> T? {
        let location = TraceLocation(path: path, byteRange: range, index: k, fileSize: data.count)
        if let made = try large.make(data, range, location) { return made }
        return transform(try JSONParser.parse(data, range: range, maxStringBytes: maxStringBytes), location)
    }

    static func startsWithArray(_ d: Data) -> Bool {
        for b in d.prefix(4096) {
            if b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 { continue }
            if b == 0xEF || b == 0xBB || b == 0xBF { continue }  // BOM
            return b == UInt8(ascii: "[")
        }
        return false
    }

    /// A NUL byte among the first `within` bytes (binary data, not JSON).
    static func hasNUL(_ data: Data, within: Int) -> Bool {
        data.withUnsafeBytes { raw in
            raw.prefix(within).withUnsafeBytes { $0.firstIndex(of: 0) != nil }
        }
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

/// What one worker of `parseRecords` made from its run of records.
struct RecordRun<T> {
    var values: [T] = []
    /// Large records left for after the pass: where their value goes in `values`, and their index.
    var deferred: [(position: Int, index: Int)] = []
    var failures = 0
    var first: (index: Int, message: String)?
}

/// The first failure met by the workers of one parallel pass: set once by whichever meets it, read by all.
final class FailureNote: @unchecked Sendable {
    private let lock = Lock()
    private var first: String?
    var isSet: Bool { text != nil }
    var text: String? { lock.withLock { first } }
    func set(_ t: String = "") { lock.withLock { if first == nil { first = t } } }
}

/// How a dataset's large records are made without building their whole JSON tree (a trace document of hundreds of
/// thousands of spans): `make` gets the record's bytes and returns nil to leave it to the usual parse, or what the
/// record made (itself nil for a record that is skipped).
struct LargeRecords<T>: Sendable {
    var minimumBytes: Int
    var make: @Sendable (Data, Range<Int>, TraceLocation) throws(JSONParseError) -> T??
    /// How the other records are made in the same pass without their whole JSON tree, with the worker's key table:
    /// nil (or a nil answer) to leave them to the usual parse, else what the record made (itself nil when skipped).
    var small: (@Sendable (Data, Range<Int>, TraceLocation, JSONKeyTable) throws(JSONParseError) -> T??)? = nil
}
