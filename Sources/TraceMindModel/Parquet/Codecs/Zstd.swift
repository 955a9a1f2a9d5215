import Foundation

/// Zstandard decoding (RFC 8878): frames of raw, RLE and compressed blocks; Huffman-coded literals (one or four
/// streams, direct or FSE-coded weights, repeated tables); FSE-coded sequences (predefined, RLE, compressed and
/// repeated tables) with repeat offsets. Dictionaries are not supported (Parquet does not use them). Written from
/// the RFC.
public enum Zstd {
    public static func decompress(_ input: [UInt8], limit: Int = 1 << 31) throws(CodecError) -> [UInt8] {
        var out = [UInt8]()
        var pos = 0
        while pos < input.count {
            guard pos + 4 <= input.count else { throw CodecError("zstd: truncated frame") }
            let magic = UInt32(input[pos]) | UInt32(input[pos + 1]) << 8 | UInt32(input[pos + 2]) << 16 | UInt32(input[pos + 3]) << 24
            if magic & 0xFFFF_FFF0 == 0x184D_2A50 {
                // A skippable frame.
                guard pos + 8 <= input.count else { throw CodecError("zstd: truncated skippable frame") }
                let size = Int(input[pos + 4]) | Int(input[pos + 5]) << 8 | Int(input[pos + 6]) << 16 | Int(input[pos + 7]) << 24
                pos += 8 + size
                continue
            }
            guard magic == 0xFD2F_B528 else { throw CodecError("zstd: not a zstd frame (magic \(String(magic, radix: 16)))") }
            var frame = Frame()
            pos = try frame.decode(input, at: pos + 4, into: &out, limit: limit)
        }
        return out
    }

    // MARK: bit readers

    /// Little-endian bits from the start (FSE table descriptions).
    struct ForwardBits {
        let data: [UInt8]
        var bit: Int
        let end: Int
        init(_ data: [UInt8], from: Int, to: Int) {
            self.data = data
            bit = from * 8
            end = to
        }
        mutating func read(_ n: Int) throws(CodecError) -> Int {
            let v = try peek(n)
            bit += n
            return v
        }
        func peek(_ n: Int) throws(CodecError) -> Int {
            guard n > 0 else { return 0 }
            guard bit + n <= end * 8 else { throw CodecError("zstd: truncated table description") }
            var v = 0
            for k in 0..<n {
                let b = bit + k
                if data[b >> 3] & (1 << UInt8(b & 7)) != 0 { v |= 1 << k }
            }
            return v
        }
        var bytePosition: Int { (bit + 7) / 8 }
    }

    /// Bits read backwards from the end of a stream (Huffman and FSE payloads): the last byte's highest set bit
    /// marks where the stream begins.
    struct BackwardBits {
        let data: [UInt8]
        let start: Int
        /// Bits left, counted from `start * 8`.
        var bits: Int

        init(_ data: [UInt8], from: Int, to: Int) throws(CodecError) {
            guard to > from, to <= data.count else { throw CodecError("zstd: empty bitstream") }
            self.data = data
            start = from
            let last = data[to - 1]
            guard last != 0 else { throw CodecError("zstd: bitstream without an end mark") }
            var h = 7
            while last & (1 << UInt8(h)) == 0 { h -= 1 }
            bits = (to - 1 - from) * 8 + h
        }

        /// The next `n` bits (most recent first), without consuming; bits before the start read as zero.
        @inline(__always)
        func peek(_ n: Int) -> Int {
            guard n > 0 else { return 0 }
            let lo = bits - n
            var v: UInt64 = 0
            // Load the bytes covering [lo, bits).
            let firstBit = max(0, lo)
            let b0 = firstBit >> 3, b1 = (bits - 1) >> 3
            if bits > 0 {
                var k = b1
                while k >= b0 {
                    v = v << 8 | UInt64(data[start + k])
                    k -= 1
                }
                v >>= UInt64(firstBit & 7)
            }
            let got = bits - firstBit
            let mask: UInt64 = got >= 64 ? ~0 : (1 << UInt64(got)) - 1
            var r = v & mask
            if lo < 0 { r <<= UInt64(-lo) }
            return Int(r)
        }

        @inline(__always)
        mutating func read(_ n: Int) -> Int {
            let v = peek(n)
            bits -= n
            return v
        }

        var overflowed: Bool { bits < 0 }
        var finished: Bool { bits == 0 }
    }

    // MARK: FSE

    struct FSETable {
        var symbol: [UInt8]
        var nbBits: [UInt8]
        var base: [UInt16]
        var log: Int

        init(normalized: [Int], log: Int) throws(CodecError) {
            self.log = log
            let size = 1 << log
            symbol = [UInt8](repeating: 0, count: size)
            nbBits = [UInt8](repeating: 0, count: size)
            base = [UInt16](repeating: 0, count: size)
            var high = size - 1
            var next = [Int](repeating: 0, count: normalized.count)
            for (s, p) in normalized.enumerated() {
                if p == -1 {
                    symbol[high] = UInt8(s)
                    high -= 1
                    next[s] = 1
                } else {
                    next[s] = max(0, p)
                }
            }
            let step = (size >> 1) + (size >> 3) + 3
            let mask = size - 1
            var position = 0
            for (s, p) in normalized.enumerated() where p > 0 {
                for _ in 0..<p {
                    symbol[position] = UInt8(s)
                    repeat { position = (position + step) & mask } while position > high
                }
            }
            guard position == 0 else { throw CodecError("zstd: invalid FSE distribution") }
            for u in 0..<size {
                let s = Int(symbol[u])
                let n = next[s]
                next[s] += 1
                guard n > 0 else { throw CodecError("zstd: invalid FSE state") }
                var hb = 0
                while (n >> (hb + 1)) != 0 { hb += 1 }
                let bits = log - hb
                nbBits[u] = UInt8(bits)
                base[u] = UInt16((n << bits) - size)
            }
        }

        /// One symbol of probability 1 (RLE mode).
        init(rle s: Int) {
            symbol = [UInt8(s)]
            nbBits = [0]
            base = [0]
            log = 0
        }

        /// Reads a table description (RFC 8878 §4.1.1); returns the table and the bytes used.
        static func read(_ data: [UInt8], at pos: Int, end: Int, maxSymbol: Int, maxLog: Int) throws(CodecError) -> (FSETable, Int) {
            var r = ForwardBits(data, from: pos, to: end)
            let log = try r.read(4) + 5
            guard log <= maxLog else { throw CodecError("zstd: FSE accuracy \(log) too high") }
            var remaining = (1 << log) + 1
            var threshold = 1 << log
            var nb = log + 1
            var counts: [Int] = []
            var previous0 = false
            while remaining > 1 && counts.count <= maxSymbol {
                if previous0 {
                    var repeats = 0
                    while true {
                        let rep = try r.read(2)
                        repeats += rep
                        if rep != 3 { break }
                    }
                    for _ in 0..<repeats { counts.append(0) }
                    guard counts.count <= maxSymbol + 1 else { throw CodecError("zstd: FSE table has too many symbols") }
                }
                let maxV = 2 * threshold - 1 - remaining
                var value: Int
                let low = try r.peek(nb - 1)
                if low & (threshold - 1) < maxV {
                    value = low & (threshold - 1)
                    r.bit += nb - 1
                } else {
                    value = try r.peek(nb) & (2 * threshold - 1)
                    if value >= threshold { value -= maxV }
                    r.bit += nb
                }
                let p = value - 1
                remaining -= p < 0 ? 1 : p
                counts.append(p)
                previous0 = p == 0
                while remaining < threshold {
                    nb -= 1
                    threshold >>= 1
                }
            }
            guard remaining == 1, counts.count <= maxSymbol + 1 else { throw CodecError("zstd: invalid FSE table description") }
            while counts.count <= maxSymbol { counts.append(0) }
            return (try FSETable(normalized: counts, log: log), r.bytePosition - pos)
        }
    }

    struct FSEState {
        var state: Int
        @inline(__always) init(_ t: FSETable, _ br: inout BackwardBits) { state = br.read(t.log) }
        @inline(__always) func symbol(_ t: FSETable) -> Int { Int(t.symbol[state]) }
        @inline(__always) mutating func update(_ t: FSETable, _ br: inout BackwardBits) {
            state = Int(t.base[state]) + br.read(Int(t.nbBits[state]))
        }
    }

    // MARK: Huffman

    struct HuffmanTable {
        var symbol: [UInt8]
        var nbBits: [UInt8]
        var maxBits: Int

        init(weights w0: [Int]) throws(CodecError) {
            guard !w0.isEmpty, w0.count < 256 else { throw CodecError("zstd: bad Huffman weights") }
            var total = 0
            for w in w0 where w > 0 {
                guard w <= 11 else { throw CodecError("zstd: Huffman weight too large") }
                total += 1 << (w - 1)
            }
            guard total > 0 else { throw CodecError("zstd: Huffman weights all zero") }
            var maxBits = 0
            while (1 << maxBits) <= total { maxBits += 1 }
            // The last weight is implied: what brings the sum to the next power of two.
            let left = (1 << maxBits) - total
            guard left > 0, left & (left - 1) == 0 else { throw CodecError("zstd: Huffman weights do not add up") }
            var lastW = 1
            while (1 << (lastW - 1)) < left { lastW += 1 }
            let weights = w0 + [lastW]
            guard maxBits <= 11 else { throw CodecError("zstd: Huffman codes too long") }
            self.maxBits = maxBits
            let size = 1 << maxBits
            symbol = [UInt8](repeating: 0, count: size)
            nbBits = [UInt8](repeating: 0, count: size)
            var rankStart = [Int](repeating: 0, count: maxBits + 2)
            var counts = [Int](repeating: 0, count: maxBits + 2)
            for w in weights where w > 0 { counts[w] += 1 }
            var next = 0
            for w in 1...maxBits {
                rankStart[w] = next
                next += counts[w] << (w - 1)
            }
            for (s, w) in weights.enumerated() where w > 0 {
                let len = 1 << (w - 1)
                let bits = UInt8(maxBits + 1 - w)
                for k in rankStart[w]..<(rankStart[w] + len) {
                    symbol[k] = UInt8(s)
                    nbBits[k] = bits
                }
                rankStart[w] += len
            }
        }

        /// A tree description (RFC 8878 §4.2.1); returns the table and the bytes used.
        static func read(_ data: [UInt8], at pos: Int, end: Int) throws(CodecError) -> (HuffmanTable, Int) {
            guard pos < end else { throw CodecError("zstd: truncated Huffman description") }
            let header = Int(data[pos])
            var weights: [Int] = []
            var used: Int
            if header >= 128 {
                let n = header - 127
                used = 1 + (n + 1) / 2
                guard pos + used <= end else { throw CodecError("zstd: truncated Huffman weights") }
                for i in 0..<n {
                    let b = data[pos + 1 + i / 2]
                    weights.append(Int(i % 2 == 0 ? b >> 4 : b & 0xF))
                }
            } else {
                used = 1 + header
                guard pos + used <= end else { throw CodecError("zstd: truncated Huffman weights") }
                let (table, tsize) = try FSETable.read(data, at: pos + 1, end: pos + used, maxSymbol: 255, maxLog: 6)
                var br = try BackwardBits(data, from: pos + 1 + tsize, to: pos + used)
                var s1 = FSEState(table, &br), s2 = FSEState(table, &br)
                // Two interleaved states: each emits its symbol, then reads its next state; when a read runs past
                // the start of the stream, the other state's symbol is the last weight.
                while weights.count < 255 {
                    weights.append(s1.symbol(table))
                    s1.update(table, &br)
                    if br.overflowed {
                        weights.append(s2.symbol(table))
                        break
                    }
                    weights.append(s2.symbol(table))
                    s2.update(table, &br)
                    if br.overflowed {
                        weights.append(s1.symbol(table))
                        break
                    }
                }
            }
            return (try HuffmanTable(weights: weights), used)
        }

        /// Decodes `count` symbols from one stream.
        func decode(_ data: [UInt8], from: Int, to: Int, count: Int, into out: inout [UInt8]) throws(CodecError) {
            var br = try BackwardBits(data, from: from, to: to)
            for _ in 0..<count {
                let v = br.peek(maxBits)
                out.append(symbol[v])
                br.bits -= Int(nbBits[v])
            }
            guard br.bits == 0 else { throw CodecError("zstd: Huffman stream not fully used") }
        }
    }

    // MARK: sequences

    static let llBase: [Int] = Array(0..<16) + [16, 18, 20, 22, 24, 28, 32, 40, 48, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536]
    static let llBits: [Int] = Array(repeating: 0, count: 16) + [1, 1, 1, 1, 2, 2, 3, 3, 4, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]
    static let mlBase: [Int] = (0..<32).map { $0 + 3 } + [35, 37, 39, 41, 43, 47, 51, 59, 67, 83, 99, 131, 259, 515, 1027, 2051, 4099, 8195, 16387, 32771, 65539]
    static let mlBits: [Int] = Array(repeating: 0, count: 32) + [1, 1, 1, 1, 2, 2, 3, 3, 4, 4, 5, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]

    static let llDefault = try! FSETable(
        normalized: [4, 3, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 3, 2, 1, 1, 1, 1, 1, -1, -1, -1, -1], log: 6)
    static let mlDefault = try! FSETable(
        normalized: [1, 4, 3, 2, 2, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
                     1, 1, 1, 1, 1, -1, -1, -1, -1, -1, -1, -1], log: 6)
    static let ofDefault = try! FSETable(
        normalized: [1, 1, 1, 1, 1, 1, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, -1, -1, -1, -1, -1], log: 5)

    // MARK: frame

    struct Frame {
        var huffman: HuffmanTable?
        var ll: FSETable?
        var of: FSETable?
        var ml: FSETable?
        var rep = [1, 4, 8]

        mutating func decode(_ d: [UInt8], at p0: Int, into out: inout [UInt8], limit: Int) throws(CodecError) -> Int {
            var pos = p0
            guard pos < d.count else { throw CodecError("zstd: truncated frame header") }
            let fhd = d[pos]
            pos += 1
            let fcsFlag = Int(fhd >> 6), single = fhd & 0x20 != 0, checksum = fhd & 4 != 0, didFlag = Int(fhd & 3)
            guard fhd & 8 == 0 else { throw CodecError("zstd: reserved header bit set") }
            if !single { pos += 1 }
            let didSize = [0, 1, 2, 4][didFlag]
            if didSize > 0 {
                guard pos + didSize <= d.count else { throw CodecError("zstd: truncated frame header") }
                var did = 0
                for k in 0..<didSize { did |= Int(d[pos + k]) << (8 * k) }
                if did != 0 { throw CodecError("zstd: frames with a dictionary are not supported") }
                pos += didSize
            }
            pos += fcsFlag == 0 ? (single ? 1 : 0) : [0, 2, 4, 8][fcsFlag]
            guard pos <= d.count else { throw CodecError("zstd: truncated frame header") }
            while true {
                guard pos + 3 <= d.count else { throw CodecError("zstd: truncated block header") }
                let h = Int(d[pos]) | Int(d[pos + 1]) << 8 | Int(d[pos + 2]) << 16
                pos += 3
                let last = h & 1 != 0, type = (h >> 1) & 3, size = h >> 3
                switch type {
                case 0:
                    guard pos + size <= d.count else { throw CodecError("zstd: truncated raw block") }
                    out.append(contentsOf: d[pos..<(pos + size)])
                    pos += size
                case 1:
                    guard pos < d.count else { throw CodecError("zstd: truncated RLE block") }
                    out.append(contentsOf: repeatElement(d[pos], count: size))
                    pos += 1
                case 2:
                    guard pos + size <= d.count else { throw CodecError("zstd: truncated compressed block") }
                    try block(d, from: pos, to: pos + size, out: &out)
                    pos += size
                default:
                    throw CodecError("zstd: reserved block type")
                }
                if out.count > limit { throw CodecError("zstd: more data than expected") }
                if last { break }
            }
            if checksum { pos += 4 }
            guard pos <= d.count else { throw CodecError("zstd: truncated checksum") }
            return pos
        }

        mutating func block(_ d: [UInt8], from: Int, to: Int, out: inout [UInt8]) throws(CodecError) {
            var pos = from
            // Literals section.
            guard pos < to else { throw CodecError("zstd: empty block") }
            let b0 = Int(d[pos])
            let ltype = b0 & 3, sf = (b0 >> 2) & 3
            var literals = [UInt8]()
            switch ltype {
            case 0, 1:
                var regen: Int
                switch sf {
                case 0, 2:
                    regen = b0 >> 3
                    pos += 1
                case 1:
                    guard pos + 2 <= to else { throw CodecError("zstd: truncated literals header") }
                    regen = (b0 >> 4) + (Int(d[pos + 1]) << 4)
                    pos += 2
                default:
                    guard pos + 3 <= to else { throw CodecError("zstd: truncated literals header") }
                    regen = (b0 >> 4) + (Int(d[pos + 1]) << 4) + (Int(d[pos + 2]) << 12)
                    pos += 3
                }
                if ltype == 0 {
                    guard pos + regen <= to else { throw CodecError("zstd: truncated raw literals") }
                    literals = Array(d[pos..<(pos + regen)])
                    pos += regen
                } else {
                    guard pos < to else { throw CodecError("zstd: truncated RLE literals") }
                    literals = [UInt8](repeating: d[pos], count: regen)
                    pos += 1
                }
            default:
                let hsize = [3, 3, 4, 5][sf]
                guard pos + hsize <= to else { throw CodecError("zstd: truncated literals header") }
                var h = 0
                for k in 0..<hsize { h |= Int(d[pos + k]) << (8 * k) }
                let fieldBits = [10, 10, 14, 18][sf]
                let regen = (h >> 4) & ((1 << fieldBits) - 1)
                let comp = (h >> (4 + fieldBits)) & ((1 << fieldBits) - 1)
                let streams = sf == 0 ? 1 : 4
                pos += hsize
                guard pos + comp <= to else { throw CodecError("zstd: truncated compressed literals") }
                var streamStart = pos
                if ltype == 2 {
                    let (t, used) = try HuffmanTable.read(d, at: pos, end: pos + comp)
                    huffman = t
                    streamStart += used
                }
                guard let table = huffman else { throw CodecError("zstd: treeless literals without a previous table") }
                literals.reserveCapacity(regen)
                let end = pos + comp
                if streams == 1 {
                    try table.decode(d, from: streamStart, to: end, count: regen, into: &literals)
                } else {
                    guard streamStart + 6 <= end else { throw CodecError("zstd: truncated jump table") }
                    let s1 = Int(d[streamStart]) | Int(d[streamStart + 1]) << 8
                    let s2 = Int(d[streamStart + 2]) | Int(d[streamStart + 3]) << 8
                    let s3 = Int(d[streamStart + 4]) | Int(d[streamStart + 5]) << 8
                    let a = streamStart + 6, b = a + s1, c = b + s2, e = c + s3
                    guard e <= end else { throw CodecError("zstd: bad jump table") }
                    let per = (regen + 3) / 4
                    try table.decode(d, from: a, to: b, count: per, into: &literals)
                    try table.decode(d, from: b, to: c, count: per, into: &literals)
                    try table.decode(d, from: c, to: e, count: per, into: &literals)
                    try table.decode(d, from: e, to: end, count: regen - 3 * per, into: &literals)
                }
                pos = end
            }
            // Sequences section.
            guard pos < to else {
                out.append(contentsOf: literals)
                return
            }
            var nseq = Int(d[pos])
            pos += 1
            if nseq >= 128 {
                if nseq < 255 {
                    guard pos < to else { throw CodecError("zstd: truncated sequence count") }
                    nseq = ((nseq - 128) << 8) + Int(d[pos])
                    pos += 1
                } else {
                    guard pos + 2 <= to else { throw CodecError("zstd: truncated sequence count") }
                    nseq = Int(d[pos]) + (Int(d[pos + 1]) << 8) + 0x7F00
                    pos += 2
                }
            }
            if nseq == 0 {
                out.append(contentsOf: literals)
                return
            }
            guard pos < to else { throw CodecError("zstd: truncated sequence modes") }
            let modes = Int(d[pos])
            pos += 1
            func table(_ mode: Int, _ prev: FSETable?, _ def: FSETable, maxSymbol: Int, maxLog: Int) throws(CodecError) -> FSETable {
                switch mode {
                case 0: return def
                case 1:
                    guard pos < to else { throw CodecError("zstd: truncated RLE table") }
                    let s = Int(d[pos])
                    pos += 1
                    guard s <= maxSymbol else { throw CodecError("zstd: RLE symbol out of range") }
                    return FSETable(rle: s)
                case 2:
                    let (t, used) = try FSETable.read(d, at: pos, end: to, maxSymbol: maxSymbol, maxLog: maxLog)
                    pos += used
                    return t
                default:
                    guard let prev else { throw CodecError("zstd: repeated table with none before") }
                    return prev
                }
            }
            let llT = try table((modes >> 6) & 3, ll, Zstd.llDefault, maxSymbol: 35, maxLog: 9)
            let ofT = try table((modes >> 4) & 3, of, Zstd.ofDefault, maxSymbol: 31, maxLog: 8)
            let mlT = try table((modes >> 2) & 3, ml, Zstd.mlDefault, maxSymbol: 52, maxLog: 9)
            ll = llT
            of = ofT
            ml = mlT
            var br = try BackwardBits(d, from: pos, to: to)
            var sLL = FSEState(llT, &br), sOF = FSEState(ofT, &br), sML = FSEState(mlT, &br)
            var litPos = 0
            for k in 0..<nseq {
                let ofCode = sOF.symbol(ofT), mlCode = sML.symbol(mlT), llCode = sLL.symbol(llT)
                guard ofCode <= 31, mlCode < Zstd.mlBase.count, llCode < Zstd.llBase.count else { throw CodecError("zstd: bad sequence code") }
                let ofValue = (1 << ofCode) + br.read(ofCode)
                let matchLength = Zstd.mlBase[mlCode] + br.read(Zstd.mlBits[mlCode])
                let literalLength = Zstd.llBase[llCode] + br.read(Zstd.llBits[llCode])
                // Repeat offsets (RFC 8878 §3.1.1.5).
                var offset: Int
                if ofValue > 3 {
                    offset = ofValue - 3
                    rep = [offset, rep[0], rep[1]]
                } else {
                    var idx = ofValue - 1
                    if literalLength == 0 { idx += 1 }
                    if idx == 0 {
                        offset = rep[0]
                    } else {
                        offset = idx == 3 ? rep[0] - 1 : rep[idx]
                        if idx > 1 { rep[2] = rep[1] }
                        rep[1] = rep[0]
                        rep[0] = offset
                    }
                }
                guard litPos + literalLength <= literals.count else { throw CodecError("zstd: literals overrun") }
                out.append(contentsOf: literals[litPos..<(litPos + literalLength)])
                litPos += literalLength
                guard offset > 0, offset <= out.count else { throw CodecError("zstd: offset before the start") }
                copyMatch(&out, offset: offset, length: matchLength)
                if k < nseq - 1 {
                    sLL.update(llT, &br)
                    sML.update(mlT, &br)
                    sOF.update(ofT, &br)
                }
                if br.overflowed { throw CodecError("zstd: sequence bitstream overrun") }
            }
            out.append(contentsOf: literals[litPos...])
        }
    }

    /// A frame of raw blocks: valid Zstandard for the project's own Parquet writer.
    public static func compressRaw(_ input: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x28, 0xB5, 0x2F, 0xFD, 0x00]  // magic; no content size, no checksum, window descriptor follows
        out.append(0x58)  // window 2^(10+11) = 2 MiB, enough for any block
        var i = 0
        repeat {
            let n = min(128 * 1024, input.count - i)
            let last = i + n >= input.count
            let h = (n << 3) | (last ? 1 : 0)
            out += [UInt8(h & 0xFF), UInt8((h >> 8) & 0xFF), UInt8((h >> 16) & 0xFF)]
            out.append(contentsOf: input[i..<(i + n)])
            i += n
        } while i < input.count
        return out
    }
}
