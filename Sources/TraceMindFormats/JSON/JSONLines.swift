import FoundationEssentials

/// Files of one JSON value a line (the caches' own files): the lines, and their values parsed on all cores.
public enum JSONLines {
    /// The byte ranges of the lines of `data` that end with a newline (the newline left out); a last line without
    /// one is not among them.
    public static func lines(_ data: Data) -> [Range<Int>] {
        var out: [Range<Int>] = []
        data.withUnsafeBytes { raw in
            var start = 0
            for i in 0..<raw.count where raw[i] == 0x0A {
                out.append(start..<i)
                start = i + 1
            }
        }
        return out
    }

    /// The value of each range of `data` (nil where it is not JSON), in order, parsed on all cores in chunks that
    /// each share a key table (the lines of one file repeat their keys).
    public static func parse(_ data: Data, _ ranges: [Range<Int>], maxStringBytes: Int = .max) -> [JSON?] {
        let chunks = ranges.count < 64 ? 1 : min(ranges.count, Parallel.cores * 8)
        let made = Parallel.map(chunks, progress: nil, isCancelled: nil, eachAlone: true, serial: chunks == 1) { c -> RecordSlot<[JSON?]> in
            let keys = JSONKeyTable()
            let lo = c * ranges.count / chunks, hi = (c + 1) * ranges.count / chunks
            return .value((lo..<hi).map { try? JSONParser.parse(data, range: ranges[$0], maxStringBytes: maxStringBytes, keys: keys) })
        }
        var out: [JSON?] = []
        out.reserveCapacity(ranges.count)
        for case .value(let part) in made { out += part }
        return out
    }
}
