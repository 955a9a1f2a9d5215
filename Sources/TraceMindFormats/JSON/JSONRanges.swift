import Dispatch
import FoundationEssentials
import Glibc

/// Record boundaries found from the bytes' layout alone, without parsing: the lines of a JSON Lines text, and the
/// elements of an array laid out one indented block each (as SMOLTRACE's `json.dump(…, indent=2)` writes) — what lets
/// a large file be parsed on all cores. The structural scan that finds them in any layout, `elementRanges`, lives with
/// the tokenizer it uses.
extension JSONParser {
    /// The records of a JSON Lines text: each non-blank line's byte range and its line number (from 1).
    public static func lineRanges(_ data: Data) -> [(range: Range<Int>, line: Int)] {
        var out: [(range: Range<Int>, line: Int)] = []
        data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            guard let base = raw.baseAddress else { return }
            var start = 0
            var lineNo = 0
            let n = raw.count
            while start < n {
                let end = memchr(base + start, 0x0A, n - start).map { base.distance(to: UnsafeRawPointer($0)) } ?? n
                lineNo += 1
                if !raw[start..<end].allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { out.append((start..<end, lineNo)) }
                start = end + 1
            }
        }
        return out
    }

    @Sendable static func isBlank(_ b: UInt8) -> Bool { b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 }

    /// The element ranges of a top-level array laid out one element per indented block (`json.dump(…, indent=N)`,
    /// as SMOLTRACE writes), guessed from the layout alone on all cores: a boundary is a `,` ending a line whose next
    /// line starts with exactly the first element's indentation. Nil when the file is not laid out so (or is small
    /// enough that a guess saves nothing).
    ///
    /// A raw line break cannot occur inside a JSON string, so in valid JSON of that layout these are exactly the
    /// element boundaries. A wrong guess (another layout, invalid JSON) always leaves some range that is not one
    /// whole value — it cuts a value open, or holds two — so a caller that parses every range (`parse(_:range:)`
    /// rejects both) and falls back to `elementRanges` on any failure gets the same elements either way, without
    /// the single-threaded structural scan of the whole file.
    public static func indentedElementRanges(_ data: Data, minimumBytes: Int = 1 << 20) -> [Range<Int>]? {
        guard data.count >= minimumBytes else { return nil }
        return data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> [Range<Int>]? in
            let n = raw.count
            let blank = isBlank
            var i = 0
            if n >= 3, raw[0] == 0xEF, raw[1] == 0xBB, raw[2] == 0xBF { i = 3 }  // BOM
            while i < n, blank(raw[i]) { i += 1 }
            guard i < n, raw[i] == UInt8(ascii: "[") else { return nil }
            i += 1
            var lastLineBreak = -1
            while i < n, blank(raw[i]) {
                if raw[i] == 0x0A { lastLineBreak = i }
                i += 1
            }
            guard lastLineBreak >= 0, i < n, raw[i] != UInt8(ascii: "]") else { return nil }
            let first = i
            let indent = Array(raw[(lastLineBreak + 1)..<first])
            var last = n - 1
            while last > first, blank(raw[last]) { last -= 1 }
            guard last > first, raw[last] == UInt8(ascii: "]") else { return nil }
            let close = last

            return indentedBoundaries(raw, first: first, indent: indent, close: close)
        }
    }

    /// The ranges of the elements between `first` (the first element's start) and `close` (the array's closing
    /// bracket), split where a line ending in `,` is followed by a line starting with exactly `indent`: on all cores.
    /// An array of objects is split only where that line starts with `indent` and `{`, found from the `{`s (a few
    /// for each of a trace document's lines): a line that starts otherwise is inside an element, or an element that
    /// is no object, whose range then does not parse whole and the caller scans the array.
    static func indentedBoundaries(_ raw: UnsafeRawBufferPointer, first: Int, indent: [UInt8], close: Int) -> [Range<Int>] {
        let w = indent.count
        if raw[first] == UInt8(ascii: "{") {
            // Each `{` that starts a line at exactly `indent`, the line before ending in `,` (a `\r` before the line
            // break allowed). A part's braces are those at or after its start (the first element's own is no
            // boundary: the search starts past it).
            return splitInParts(raw, first: first, close: close) { raw, lo, hi in
                let base = raw.baseAddress!
                var out: [(Int, Int)] = []
                var p = max(first + 1, lo)
                while p < hi {
                    guard let hit = memchr(base + p, 0x7B, hi - p) else { break }
                    let b = base.distance(to: UnsafeRawPointer(hit))
                    p = b + 1
                    let nl = b - w - 1
                    guard nl > first, raw[nl] == 0x0A, startsWith(raw, nl + 1, indent) else { continue }
                    var k = nl - 1
                    if raw[k] == 0x0D { k -= 1 }
                    guard k > first, raw[k] == UInt8(ascii: ",") else { continue }
                    out.append((k, b))
                }
                return out
            }
        }
        // A part's line breaks are those that start inside it.
        return splitInParts(raw, first: first, close: close) { raw, lo, hi in
            let base = raw.baseAddress!
            var out: [(Int, Int)] = []
            var p = lo
            while p < hi {
                guard let hit = memchr(base + p, 0x0A, hi - p) else { break }
                let nl = base.distance(to: UnsafeRawPointer(hit))
                p = nl + 1
                var k = nl - 1
                if k > first, raw[k] == 0x0D { k -= 1 }
                guard raw[k] == UInt8(ascii: ","), nl + 1 + w < close, startsWith(raw, nl + 1, indent), !isBlank(raw[nl + 1 + w]) else { continue }
                out.append((k, nl + 1 + w))
            }
            return out
        }
    }

    /// Whether the bytes at `at` are `prefix`.
    @inline(__always)
    static func startsWith(_ raw: UnsafeRawBufferPointer, _ at: Int, _ prefix: [UInt8]) -> Bool {
        for (j, b) in prefix.enumerated() where raw[at + j] != b { return false }
        return true
    }

    /// The ranges of the elements between `first` and `close`, split at the (comma, next element's start) pairs that
    /// `boundaries(raw, lo, hi)` finds in each of `Parallel.cores * 4` parts of the bytes between, on all cores.
    static func splitInParts(
        _ raw: UnsafeRawBufferPointer, first: Int, close: Int, _ boundaries: @escaping @Sendable (UnsafeRawBufferPointer, Int, Int) -> [(Int, Int)]
    ) -> [Range<Int>] {
        let chunks = Parallel.cores * 4
        let found = UnsafeMutableBufferPointer<[(Int, Int)]>.allocate(capacity: chunks)
        found.initialize(repeating: [])
        defer {
            found.deinitialize()
            found.deallocate()
        }
        // Each worker reads the bytes and writes its own slot only.
        let shared = UncheckedBox((raw, found))
        let span = close - first
        Parallel.perform(iterations: chunks) { c in
            let (raw, found) = shared.value
            found[c] = boundaries(raw, first + c * span / chunks, first + (c + 1) * span / chunks)
        }
        var ranges: [Range<Int>] = []
        var start = first
        for chunk in found {
            for (comma, next) in chunk {
                ranges.append(start..<comma)
                start = next
            }
        }
        var end = close
        while end > start, isBlank(raw[end - 1]) { end -= 1 }
        ranges.append(start..<end)
        return ranges
    }
}
