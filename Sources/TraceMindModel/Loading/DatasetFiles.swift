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

    /// Calls `body` for every record of a `.json` array (or single object) or `.jsonl` file, with its byte range.
    /// Malformed JSONL lines are skipped and reported once; a malformed array stops at the bad element (earlier
    /// elements stay loaded) and is reported once.
    static func forEachRecord(
        _ fs: DataFileSystem, _ path: String, into diags: inout [Diagnostic],
        progress: ((Double) -> Void)? = nil, isCancelled: (() -> Bool)? = nil, maxStringBytes: Int = .max,
        _ body: (JSON, Range<Int>) -> Void
    ) -> Bool {
        guard let data = readData(fs, path, into: &diags) else { return false }
        let total = Double(max(1, data.count))
        var lastReport = 0
        func report(_ upTo: Int) {
            guard let progress, upTo - lastReport > 1 << 20 || upTo == data.count else { return }
            lastReport = upTo
            progress(Double(upTo) / total)
        }
        struct Cancelled: Error {}
        let looksLines = isJSONL(path) || (!startsWithArray(data) && hasManyTopLevelLines(data))
        if looksLines {
            var bad = 0
            var firstBad: String?
            var lineNo = 0
            var good = 0
            data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
                var start = 0
                let n = raw.count
                while start < n {
                    if isCancelled?() == true { return }
                    var end = start
                    while end < n && raw[end] != 0x0A { end += 1 }
                    lineNo += 1
                    let range = start..<end
                    start = end + 1
                    let isBlank = raw[range].allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }
                    if isBlank { continue }
                    do {
                        let v = try JSONParser.parse(Data(UnsafeRawBufferPointer(rebasing: raw[range])), maxStringBytes: maxStringBytes)
                        good += 1
                        body(v, range)
                    } catch {
                        bad += 1
                        if firstBad == nil { firstBad = "line \(lineNo): \((error as? JSONParseError)?.message ?? "\(error)")" }
                    }
                    report(end)
                }
            }
            if bad > 0 {
                diags.append(
                    Diagnostic(
                        path: path,
                        bad == 1 ? "invalid JSON on \(firstBad!); the other \(good) records loaded"
                            : "\(bad) invalid lines (first: \(firstBad!)); the other \(good) records loaded"))
            }
            return good > 0 || bad == 0
        }
        var count = 0
        do {
            try JSONParser.forEachElement(data, maxStringBytes: maxStringBytes) { v, range in
                if isCancelled?() == true { throw Cancelled() }
                count += 1
                body(v, range)
                report(range.upperBound)
            }
        } catch is Cancelled {
            return true
        } catch let e as JSONParseError {
            diags.append(
                Diagnostic(
                    path: path,
                    count == 0 ? "invalid JSON: \(e)" : "invalid JSON: \(e); the first \(count) records loaded"))
            return count > 0
        } catch {
            diags.append(Diagnostic(path: path, "\(error)"))
            return count > 0
        }
        return true
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
