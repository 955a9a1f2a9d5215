import FoundationEssentials
import TraceMindFormats

/// Live watch's tail of growing JSON Lines trace files (OTLP/JSON export lines, or span rows): the spans read so
/// far, by trace, and where the file was read to. When the same file (same inode) has grown and the bytes before that
/// place are still the ones read, only the new complete lines are read and parsed; anything else (a rewrite, a
/// shorter file, another form of line) is a full read. Off unless turned on (the browser's live watch does): it
/// keeps the spans of every tailed file in memory.
public final class SpanTail: @unchecked Sendable {
    public static let shared = SpanTail()

    struct Entry {
        var inode: String
        var offset: Int
        /// The bytes just before `offset`, to tell a rewrite from growth.
        var check: [UInt8]
        var spans: [String: [Span]]
        var order: [String]
        var malformed: Int
    }

    private let lock = Lock()
    private var isOn = false
    private var entries: [String: Entry] = [:]
    /// Bytes read by the last tail of each file (for tests and the benchmark).
    private var lastTail: [String: Int] = [:]

    public var enabled: Bool {
        get { lock.withLock { isOn } }
        set {
            lock.withLock {
                isOn = newValue
                if !newValue { entries = [:] }
            }
        }
    }

    public func bytesTailed(_ path: String) -> Int? { lock.withLock { lastTail[path] } }

    static func tailable(_ fs: any DataFileSystem, _ path: String) -> Bool {
        let p = path.lowercased()
        return fs is LocalFileSystem && (p.hasSuffix(".jsonl") || p.hasSuffix(".ndjson"))
    }

    /// The file's spans by trace and their order, and how many lines were not span data — from what was read before
    /// and the lines added since; nil when the file must be read whole.
    func read(_ fs: any DataFileSystem, _ path: String) -> (spans: [String: [Span]], order: [String], malformed: Int)? {
        guard SpanTail.tailable(fs, path), var e = lock.withLock({ isOn ? entries[path] : nil }) else { return nil }
        let st = LocalFileSystem().stamp(path).stamp.split(separator: " ")
        guard st.count == 5, st[0] == "f", let size = Int(st[1]), String(st[4]) == e.inode, size >= e.offset else { return nil }
        if size > e.offset {
            guard (try? fs.readRange(path, (e.offset - e.check.count)..<e.offset)) == e.check,
                let chunk = try? fs.readRange(path, e.offset..<size)
            else { return nil }
            var tailed = 0
            if let last = chunk.lastIndex(of: 0x0A) {
                let data = Data(chunk[...last])
                // Blank lines are nothing; a line that is not JSON, or not span data, is counted.
                let lines = JSONLines.lines(data).filter { r in r.contains { data[$0] > 0x20 } }
                for v in JSONLines.parse(data, lines, maxStringBytes: 4096) {
                    guard let o = v?.objectValue else {
                        e.malformed += 1
                        continue
                    }
                    if o["spans"] != nil { return nil }  // trace documents: read whole
                    let spans: [Span]
                    if o["span_id"] != nil || o["spanId"] != nil {
                        spans = [Span(json: o, traceID: nil)]
                    } else if let s = OTLP.spans(o) {
                        spans = s
                    } else {
                        e.malformed += 1
                        continue
                    }
                    for s in spans {
                        if e.spans[s.traceID] == nil { e.order.append(s.traceID) }
                        e.spans[s.traceID, default: []].append(s)
                    }
                }
                tailed = last + 1
                e.offset += tailed
                e.check = Array(chunk[max(0, last + 1 - 64)...last])
            }
            lock.withLock {
                entries[path] = e
                lastTail[path] = tailed
            }
        }
        return (e.spans, e.order, e.malformed)
    }

    /// The file's stamp before a whole read, when it may be kept for tailing (nil: not tailable, or tailing is off).
    func stampBeforeRead(_ fs: any DataFileSystem, _ path: String) -> String? {
        SpanTail.tailable(fs, path) && enabled ? LocalFileSystem().stamp(path).stamp : nil
    }

    /// Keeps what a whole read of a tailable file found, when the file is still as it was before the read (`before`)
    /// and ends with a complete line.
    func remember(_ fs: any DataFileSystem, _ path: String, before: String?, spans: [String: [Span]], order: [String], malformed: Int) {
        guard let before, LocalFileSystem().stamp(path).stamp == before else { return }
        let st = before.split(separator: " ")
        guard st.count == 5, st[0] == "f", let size = Int(st[1]), size > 0 else { return }
        // Read to the end of its last complete line: a line still being written was counted as not trace data (it
        // does not parse) and is read when it is complete. A last line that parses without its newline is ambiguous
        // (complete, or to be continued): not kept.
        let window = min(size, 1 << 20)
        guard let tail = try? fs.readRange(path, (size - window)..<size), let nl = tail.lastIndex(of: 0x0A) else { return }
        var malformed = malformed
        if nl + 1 < tail.count {
            let rest = Data(tail[(nl + 1)...])
            if rest.contains(where: { $0 > 0x20 }) {
                guard (try? JSONParser.parse(rest, range: 0..<rest.count)) == nil else { return }
                malformed -= 1
            }
        }
        let offset = size - window + nl + 1
        let check = Array(tail[max(0, nl + 1 - 64)...nl])
        lock.withLock {
            entries[path] = Entry(inode: String(st[4]), offset: offset, check: check, spans: spans, order: order, malformed: max(0, malformed))
            lastTail[path] = nil
        }
    }
}
