import FoundationEssentials

/// Reads one column chunk: its pages (dictionary, data v1 and v2), decompressed and decoded into levels and values.
struct ColumnReader {
    let file: ParquetFile
    let chunk: ParquetFile.ColumnChunk
    let leaf: SchemaNode
    let maxStringBytes: Int

    var column: String { leaf.path.joined(separator: ".") }

    func fail(_ m: String) -> ParquetError { ParquetError("\(file.name): column \(column): \(m)") }

    func read() throws(ParquetError) -> ColumnValues {
        let b = try file.source.bytes(chunk.start..<(chunk.start + chunk.size))
        var pos = 0
        let end = chunk.size
        var dictionary: [JSON]?
        var out = ColumnValues(rep: leaf.repLevel > 0 ? [] : nil, def: leaf.defLevel > 0 ? [] : nil, values: [], count: 0)
        var pages = 0
        while out.count < chunk.numValues && pos < end {
            pages += 1
            guard pages < 1_000_000 else { throw fail("too many pages") }
            var r = ThriftReader(b, at: pos, end: end)
            let header: ThriftStruct
            do { header = try r.readStruct() } catch { throw fail("a page header is damaged (\(error.message))") }
            pos = r.pos
            let type = header.int(1) ?? -1
            let uncompressed = header.int(2) ?? 0
            let compressed = header.int(3) ?? 0
            guard compressed >= 0, uncompressed >= 0, pos + compressed <= end else { throw fail("a page runs past the column's end (truncated file?)") }
            let body = Array(b[pos..<(pos + compressed)])
            pos += compressed
            switch type {
            case 2:  // dictionary page
                let dh = header.sub(7)
                let n = dh?.int(1) ?? 0
                let data = try decompress(body, uncompressed)
                guard n >= 0, n <= ColumnReader.maxValuesPerPage else { throw fail("a dictionary page has an implausible size (\(n))") }
                var pr = PlainReader(data: data, pos: 0)
                dictionary = try decodePlain(&pr, count: n)
            case 0:  // data page v1
                guard let h = header.sub(5) else { throw fail("a data page has no header") }
                let n = try pageValues(h.int(1) ?? 0, done: out.count)
                let data = try decompress(body, uncompressed)
                var p = 0
                var rep: [Int32]? = nil, def: [Int32]? = nil
                if leaf.repLevel > 0 { rep = try levelsV1(data, &p, max: leaf.repLevel, count: n, encoding: h.int(4) ?? 3) }
                if leaf.defLevel > 0 { def = try levelsV1(data, &p, max: leaf.defLevel, count: n, encoding: h.int(3) ?? 3) }
                let nonNull = def.map { d in d.reduce(0) { $0 + ($1 == Int32(leaf.defLevel) ? 1 : 0) } } ?? n
                let values = try decodeValues(data, from: p, count: nonNull, encoding: h.int(2) ?? 0, dictionary: dictionary)
                try append(&out, rep, def, values, n)
            case 3:  // data page v2
                guard let h = header.sub(8) else { throw fail("a data page v2 has no header") }
                let n = try pageValues(h.int(1) ?? 0, done: out.count)
                let nulls = h.int(2) ?? 0
                guard nulls >= 0, nulls <= n else { throw fail("a data page v2 counts \(nulls) nulls of \(n) values") }
                let defLen = h.int(5) ?? 0, repLen = h.int(6) ?? 0
                guard repLen >= 0, defLen >= 0, repLen + defLen <= body.count else { throw fail("level lengths do not fit the page") }
                var rep: [Int32]? = nil, def: [Int32]? = nil
                if leaf.repLevel > 0 { rep = try hybrid(Array(body[0..<repLen]), bitWidth: bitWidth(leaf.repLevel), count: n) }
                if leaf.defLevel > 0 { def = try hybrid(Array(body[repLen..<(repLen + defLen)]), bitWidth: bitWidth(leaf.defLevel), count: n) }
                let rest = Array(body[(repLen + defLen)...])
                let isCompressed = h[7]?.bool ?? true
                let data = isCompressed ? try decompress(rest, uncompressed - repLen - defLen) : rest
                let values = try decodeValues(data, from: 0, count: n - nulls, encoding: h.int(4) ?? 0, dictionary: dictionary)
                try append(&out, rep, def, values, n)
            case 1:
                continue  // index pages carry nothing needed here
            default:
                throw fail("unknown page type \(type)")
            }
        }
        guard out.count >= chunk.numValues else { throw fail("\(out.count) values of \(chunk.numValues): the column is truncated") }
        return out
    }

    /// No page holds more values than this: hostile counts are errors, not huge allocations.
    static let maxValuesPerPage = 50_000_000

    /// Room to reserve for a count read from a file (grown as values really arrive).
    static func capacity(_ n: Int) -> Int { min(max(n, 0), 1 << 16) }

    /// A data page's value count, checked against what the column chunk says is left.
    func pageValues(_ n: Int, done: Int) throws(ParquetError) -> Int {
        guard n >= 0, n <= ColumnReader.maxValuesPerPage, n <= chunk.numValues - done else {
            throw fail("a data page holds \(n) values where \(chunk.numValues - done) are left")
        }
        return n
    }

    func append(_ out: inout ColumnValues, _ rep: [Int32]?, _ def: [Int32]?, _ values: [JSON], _ n: Int) throws(ParquetError) {
        guard (rep?.count ?? n) >= n, (def?.count ?? n) >= n else { throw fail("a page has fewer levels than values") }
        // The first page's levels and values are taken as they are (a 100-row group is often one page): no copy.
        if let rep { if out.rep!.isEmpty && rep.count == n { out.rep = rep } else { out.rep!.append(contentsOf: rep.prefix(n)) } }
        if let def { if out.def!.isEmpty && def.count == n { out.def = def } else { out.def!.append(contentsOf: def.prefix(n)) } }
        if out.values.isEmpty { out.values = values } else { out.values.append(contentsOf: values) }
        out.count += n
    }

    func decompress(_ body: [UInt8], _ size: Int) throws(ParquetError) -> [UInt8] {
        let limit = max(size, 0) + 64
        do throws(CodecError) {
            switch chunk.codec {
            case 0: return body
            case 1: return try Snappy.decompress(body, limit: limit)
            case 2: return try Gzip.decompress(body, limit: limit)
            case 6: return try Zstd.decompress(body, limit: limit)
            case 3: throw CodecError("LZO")
            case 4: throw CodecError("BROTLI")
            case 5, 7: throw CodecError("LZ4")
            default: throw CodecError("codec \(chunk.codec)")
            }
        } catch {
            if ["LZO", "BROTLI", "LZ4"].contains(where: { error.message.hasPrefix($0) }) || error.message.hasPrefix("codec ") {
                throw fail("\(error.message) compression is not supported (SNAPPY, GZIP, ZSTD and uncompressed are)")
            }
            throw fail("a page does not decompress (\(error.message))")
        }
    }

    func bitWidth(_ max: Int) -> Int {
        var w = 0
        while (1 << w) <= max { w += 1 }
        return w
    }

    func levelsV1(_ data: [UInt8], _ p: inout Int, max: Int, count: Int, encoding: Int) throws(ParquetError) -> [Int32] {
        let w = bitWidth(max)
        if encoding == 4 {
            // BIT_PACKED (deprecated): values packed MSB first, no length prefix.
            let bytes = (count * w + 7) / 8
            guard p + bytes <= data.count else { throw fail("levels run past the page") }
            var out = [Int32]()
            out.reserveCapacity(ColumnReader.capacity(count))
            for i in 0..<count {
                var v = 0
                for k in 0..<w {
                    let bit = i * w + k
                    if data[p + bit / 8] & (0x80 >> UInt8(bit % 8)) != 0 { v |= 1 << (w - 1 - k) }
                }
                out.append(Int32(v))
            }
            p += bytes
            return out
        }
        guard p + 4 <= data.count else { throw fail("levels run past the page") }
        let len = Int(data[p]) | Int(data[p + 1]) << 8 | Int(data[p + 2]) << 16 | Int(data[p + 3]) << 24
        p += 4
        guard len >= 0, p + len <= data.count else { throw fail("levels run past the page") }
        let v = try hybrid(Array(data[p..<(p + len)]), bitWidth: w, count: count)
        p += len
        return v
    }

    /// The RLE / bit-packing hybrid encoding.
    func hybrid(_ data: [UInt8], bitWidth w: Int, count: Int, start: Int = 0) throws(ParquetError) -> [Int32] {
        var out = [Int32]()
        out.reserveCapacity(ColumnReader.capacity(count))
        var p = start
        let byteWidth = (w + 7) / 8
        while out.count < count {
            guard p < data.count else {
                if w == 0 { out.append(contentsOf: repeatElement(0, count: count - out.count)); break }
                throw fail("RLE data ends early")
            }
            var header = 0, shift = 0
            while true {
                guard p < data.count, shift < 35 else { throw fail("RLE header is malformed") }
                let b = data[p]
                p += 1
                header |= Int(b & 0x7F) << shift
                if b & 0x80 == 0 { break }
                shift += 7
            }
            if header & 1 == 0 {
                let run = header >> 1
                guard p + byteWidth <= data.count else { throw fail("RLE run ends early") }
                var v = 0
                for k in 0..<byteWidth { v |= Int(data[p + k]) << (8 * k) }
                p += byteWidth
                out.append(contentsOf: repeatElement(Int32(truncatingIfNeeded: v), count: min(run, count - out.count)))
            } else {
                let groups = header >> 1
                let n = groups * 8
                let bytes = groups * w
                guard p + bytes <= data.count || w == 0 else {
                    // The last group may be cut short when the page ends: decode what is there.
                    if p >= data.count { throw fail("bit-packed run ends early") }
                    break
                }
                var bit = 0
                for _ in 0..<n {
                    if out.count >= count { break }
                    var v = 0
                    for k in 0..<w {
                        let b = bit + k
                        if data[p + b / 8] & (1 << UInt8(b % 8)) != 0 { v |= 1 << k }
                    }
                    bit += w
                    out.append(Int32(truncatingIfNeeded: v))
                }
                p += bytes
            }
        }
        return out
    }

    // MARK: values

    struct PlainReader {
        let data: [UInt8]
        var pos: Int
        mutating func take(_ n: Int) -> ArraySlice<UInt8>? {
            guard n >= 0, pos + n <= data.count else { return nil }
            defer { pos += n }
            return data[pos..<(pos + n)]
        }
    }

    func decodeValues(_ data: [UInt8], from: Int, count: Int, encoding: Int, dictionary: [JSON]?) throws(ParquetError) -> [JSON] {
        guard count > 0 else { return [] }
        switch encoding {
        case 0:
            var r = PlainReader(data: data, pos: from)
            return try decodePlain(&r, count: count)
        case 2, 8:
            guard let dictionary else { throw fail("dictionary-encoded page without a dictionary") }
            guard from < data.count else { throw fail("dictionary indices missing") }
            let w = Int(data[from])
            guard w <= 32 else { throw fail("bad dictionary index width \(w)") }
            let idx = try hybrid(data, bitWidth: w, count: count, start: from + 1)
            var out = [JSON]()
            out.reserveCapacity(ColumnReader.capacity(count))
            for i in idx {
                guard i >= 0, Int(i) < dictionary.count else { throw fail("dictionary index \(i) out of range") }
                out.append(dictionary[Int(i)])
            }
            return out
        case 3:
            // RLE booleans: a 4-byte length, then the hybrid encoding with width 1.
            guard leaf.physical == .boolean else { throw fail("RLE values are only defined for booleans") }
            let v = try hybrid(data, bitWidth: 1, count: count, start: from + 4)
            return v.map { .bool($0 != 0) }
        case 5:
            let ints = try deltaBinaryPacked(data, from, count: count).values
            return ints.map { convertInt($0) }
        case 6:
            let (lengths, p) = try deltaBinaryPacked(data, from, count: count)
            var r = PlainReader(data: data, pos: p)
            var out = [JSON]()
            for l in lengths {
                guard let bytes = r.take(Int(l)) else { throw fail("byte arrays run past the page") }
                out.append(convertBytes(bytes))
            }
            return out
        case 7:
            let (prefixes, p1) = try deltaBinaryPacked(data, from, count: count)
            let (suffixes, p2) = try deltaBinaryPacked(data, p1, count: count)
            var r = PlainReader(data: data, pos: p2)
            var prev = [UInt8]()
            var out = [JSON]()
            for i in 0..<count {
                let pre = Int(prefixes[i])
                guard pre <= prev.count, let suf = r.take(Int(suffixes[i])) else { throw fail("delta byte arrays are malformed") }
                prev = Array(prev[0..<pre]) + suf
                out.append(convertBytes(prev[...]))
            }
            return out
        case 9:
            // BYTE_STREAM_SPLIT: the k-th bytes of all values, then the (k+1)-th…
            let width: Int
            switch leaf.physical {
            case .float?, .int32?: width = 4
            case .double?, .int64?: width = 8
            case .fixedLenByteArray?: width = leaf.typeLength
            default: throw fail("BYTE_STREAM_SPLIT for this type is not supported")
            }
            guard width > 0, width <= 1 << 16, count <= ColumnReader.maxValuesPerPage, from + width * count <= data.count else {
                throw fail("values run past the page")
            }
            var joined = [UInt8](repeating: 0, count: width * count)
            for i in 0..<count { for k in 0..<width { joined[i * width + k] = data[from + k * count + i] } }
            var r = PlainReader(data: joined, pos: 0)
            return try decodePlain(&r, count: count)
        default:
            throw fail("encoding \(encoding) is not supported")
        }
    }

    func deltaBinaryPacked(_ data: [UInt8], _ start: Int, count: Int) throws(ParquetError) -> (values: [Int64], end: Int) {
        var p = start
        func uvarint() throws(ParquetError) -> UInt64 {
            var v: UInt64 = 0, shift: UInt64 = 0
            while true {
                guard p < data.count, shift < 64 else { throw fail("delta header is malformed") }
                let b = data[p]
                p += 1
                v |= UInt64(b & 0x7F) << shift
                if b & 0x80 == 0 { return v }
                shift += 7
            }
        }
        let blockSize = Int(truncatingIfNeeded: try uvarint()), miniBlocks = Int(truncatingIfNeeded: try uvarint())
        let total = Int(truncatingIfNeeded: try uvarint())
        let zz = try uvarint()
        var value = Int64(bitPattern: (zz >> 1) ^ (0 &- (zz & 1)))
        guard miniBlocks > 0, miniBlocks <= 1 << 16, blockSize > 0, blockSize <= 1 << 20, blockSize % miniBlocks == 0,
            total >= 0, total <= ColumnReader.maxValuesPerPage
        else { throw fail("delta header is malformed") }
        let perMini = blockSize / miniBlocks
        var out: [Int64] = []
        out.reserveCapacity(ColumnReader.capacity(total))
        if total > 0 { out.append(value) }
        while out.count < total {
            let zm = try uvarint()
            let minDelta = Int64(bitPattern: (zm >> 1) ^ (0 &- (zm & 1)))
            guard p + miniBlocks <= data.count else { throw fail("delta block is truncated") }
            let widths = Array(data[p..<(p + miniBlocks)])
            p += miniBlocks
            for w in widths {
                let wi = Int(w)
                guard wi <= 64 else { throw fail("delta bit width \(wi)") }
                let bytes = perMini * wi / 8
                guard p + bytes <= data.count || out.count >= total else { throw fail("delta mini block is truncated") }
                for k in 0..<perMini {
                    if out.count >= total { break }
                    var d: UInt64 = 0
                    for b in 0..<wi {
                        let bit = k * wi + b
                        if p + bit / 8 < data.count, data[p + bit / 8] & (1 << UInt8(bit % 8)) != 0 { d |= 1 << UInt64(b) }
                    }
                    value = value &+ minDelta &+ Int64(bitPattern: d)
                    out.append(value)
                }
                p += bytes
            }
        }
        return (Array(out.prefix(count)), p)
    }

    func decodePlain(_ r: inout PlainReader, count: Int) throws(ParquetError) -> [JSON] {
        var out = [JSON]()
        out.reserveCapacity(ColumnReader.capacity(count))
        func le(_ s: ArraySlice<UInt8>) -> UInt64 {
            var v: UInt64 = 0
            for (k, b) in s.enumerated() { v |= UInt64(b) << (8 * UInt64(k)) }
            return v
        }
        switch leaf.physical {
        case .boolean?:
            guard let bytes = r.take((count + 7) / 8) else { throw fail("values run past the page") }
            let base = bytes.startIndex
            for i in 0..<count { out.append(.bool(bytes[base + i / 8] & (1 << UInt8(i % 8)) != 0)) }
        case .int32?:
            for _ in 0..<count {
                guard let s = r.take(4) else { throw fail("values run past the page") }
                out.append(convertInt(Int64(Int32(truncatingIfNeeded: le(s)))))
            }
        case .int64?:
            for _ in 0..<count {
                guard let s = r.take(8) else { throw fail("values run past the page") }
                out.append(convertInt(Int64(bitPattern: le(s))))
            }
        case .int96?:
            for _ in 0..<count {
                guard let s = r.take(12) else { throw fail("values run past the page") }
                let nanos = Int64(bitPattern: le(s.prefix(8)))
                let julian = Int64(le(s.suffix(4)))
                out.append(.int((julian - 2_440_588) * 86_400_000_000_000 + nanos))
            }
        case .float?:
            for _ in 0..<count {
                guard let s = r.take(4) else { throw fail("values run past the page") }
                out.append(.double(Double(Float(bitPattern: UInt32(truncatingIfNeeded: le(s))))))
            }
        case .double?:
            for _ in 0..<count {
                guard let s = r.take(8) else { throw fail("values run past the page") }
                out.append(.double(Double(bitPattern: le(s))))
            }
        case .byteArray?:
            for _ in 0..<count {
                guard let ls = r.take(4) else { throw fail("values run past the page") }
                let n = Int(le(ls))
                guard let bytes = r.take(n) else { throw fail("a string runs past the page") }
                out.append(convertBytes(bytes))
            }
        case .fixedLenByteArray?:
            for _ in 0..<count {
                guard let bytes = r.take(leaf.typeLength) else { throw fail("values run past the page") }
                out.append(convertFixed(bytes))
            }
        case nil:
            throw fail("no physical type")
        }
        return out
    }

    func convertInt(_ v: Int64) -> JSON {
        if leaf.converted == 5 || leaf.logical == 5 {  // DECIMAL
            var d = Double(v)
            for _ in 0..<leaf.scale { d /= 10 }
            return .double(d)
        }
        return .int(v)
    }

    func convertBytes(_ bytes: ArraySlice<UInt8>) -> JSON {
        if bytes.count > maxStringBytes { return .string(JSONParser.elided) }
        return .string(String(decoding: bytes, as: UTF8.self))
    }

    func convertFixed(_ bytes: ArraySlice<UInt8>) -> JSON {
        if leaf.converted == 5 || leaf.logical == 5 {
            // Big-endian two's complement.
            var v: Int64 = bytes.first.map { $0 & 0x80 != 0 ? -1 : 0 } ?? 0
            for b in bytes { v = v << 8 | Int64(b) }
            var d = Double(v)
            for _ in 0..<leaf.scale { d /= 10 }
            return .double(d)
        }
        let hex = bytes.map { NumberText.hex($0, width: 2) }.joined()
        if leaf.logical == 14, hex.count == 32 {
            let c = Array(hex)
            return .string(String(c[0..<8]) + "-" + String(c[8..<12]) + "-" + String(c[12..<16]) + "-" + String(c[16..<20]) + "-" + String(c[20...]))
        }
        return .string(hex)
    }
}
