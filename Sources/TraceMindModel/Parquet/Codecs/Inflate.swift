import Foundation

/// DEFLATE (RFC 1951) decoding, inside gzip (RFC 1952, what Parquet's GZIP codec means) or zlib (RFC 1950)
/// containers. Written from the RFCs.
public enum Inflate {
    /// gzip members (one or more), zlib, or raw deflate — detected from the first bytes.
    public static func decompress(_ input: [UInt8], limit: Int = 1 << 31) throws(CodecError) -> [UInt8] {
        if input.count >= 2 && input[0] == 0x1F && input[1] == 0x8B { return try gunzip(input, limit: limit) }
        if input.count >= 2 && input[0] & 0x0F == 8 && (Int(input[0]) << 8 | Int(input[1])) % 31 == 0 {
            var r = BitReader(input, at: 2)
            var out = [UInt8]()
            try inflate(&r, into: &out, limit: limit)
            return out
        }
        var r = BitReader(input, at: 0)
        var out = [UInt8]()
        try inflate(&r, into: &out, limit: limit)
        return out
    }

    static func gunzip(_ input: [UInt8], limit: Int) throws(CodecError) -> [UInt8] {
        var out = [UInt8]()
        var pos = 0
        while pos + 10 <= input.count && input[pos] == 0x1F && input[pos + 1] == 0x8B {
            guard input[pos + 2] == 8 else { throw CodecError("gzip: unknown compression method \(input[pos + 2])") }
            let flags = input[pos + 3]
            var i = pos + 10
            if flags & 4 != 0 {
                guard i + 2 <= input.count else { throw CodecError("gzip: truncated header") }
                i += 2 + (Int(input[i]) | Int(input[i + 1]) << 8)
            }
            if flags & 8 != 0 { while i < input.count && input[i] != 0 { i += 1 }; i += 1 }
            if flags & 16 != 0 { while i < input.count && input[i] != 0 { i += 1 }; i += 1 }
            if flags & 2 != 0 { i += 2 }
            guard i <= input.count else { throw CodecError("gzip: truncated header") }
            var r = BitReader(input, at: i)
            try inflate(&r, into: &out, limit: limit)
            pos = r.byteAlignedPosition + 8  // CRC32 and ISIZE
            guard pos <= input.count else { throw CodecError("gzip: truncated trailer") }
        }
        return out
    }

    struct BitReader {
        let data: [UInt8]
        var pos: Int
        var bitBuf: UInt64 = 0
        var bitCount = 0

        init(_ data: [UInt8], at: Int) {
            self.data = data
            pos = at
        }

        /// Zero bytes read past the end (a valid stream may peek a little beyond its last code, never use it).
        var overrun = 0

        @inline(__always)
        mutating func need(_ n: Int) throws(CodecError) {
            while bitCount < n {
                if pos < data.count {
                    bitBuf |= UInt64(data[pos]) << UInt64(bitCount)
                    pos += 1
                } else {
                    overrun += 1
                    if overrun > 8 { throw CodecError("deflate: truncated data") }
                }
                bitCount += 8
            }
        }

        @inline(__always)
        mutating func bits(_ n: Int) throws(CodecError) -> Int {
            if n == 0 { return 0 }
            try need(n)
            let v = Int(bitBuf & ((1 << UInt64(n)) - 1))
            bitBuf >>= UInt64(n)
            bitCount -= n
            return v
        }

        /// The byte position after the bits used so far (for the gzip trailer).
        var byteAlignedPosition: Int { pos - bitCount / 8 - overrun }

        mutating func alignToByte() {
            let drop = bitCount % 8
            bitBuf >>= UInt64(drop)
            bitCount -= drop
        }
    }

    /// A canonical Huffman code as a lookup table indexed by the next `maxLen` bits (LSB-first).
    struct Huffman {
        var table: [UInt32]  // symbol << 8 | length
        var maxLen: Int

        init(lengths: [Int]) throws(CodecError) {
            maxLen = max(1, lengths.max() ?? 1)
            guard maxLen <= 15 else { throw CodecError("deflate: code too long") }
            var count = [Int](repeating: 0, count: 16)
            for l in lengths where l > 0 { count[l] += 1 }
            var next = [Int](repeating: 0, count: 16)
            var code = 0
            for bits in 1...15 {
                code = (code + count[bits - 1]) << 1
                next[bits] = code
            }
            table = [UInt32](repeating: 0, count: 1 << maxLen)
            for (sym, len) in lengths.enumerated() where len > 0 {
                let c = next[len]
                next[len] += 1
                // Deflate sends codes MSB first inside an LSB-first stream: index by the reversed code.
                var rev = 0
                for b in 0..<len where c & (1 << b) != 0 { rev |= 1 << (len - 1 - b) }
                let entry = UInt32(sym) << 8 | UInt32(len)
                var k = rev
                while k < table.count {
                    table[k] = entry
                    k += 1 << len
                }
            }
        }

        @inline(__always)
        func decode(_ r: inout BitReader) throws(CodecError) -> Int {
            try r.need(maxLen)
            let e = table[Int(r.bitBuf & UInt64((1 << maxLen) - 1))]
            let len = Int(e & 0xFF)
            guard len > 0 else { throw CodecError("deflate: invalid Huffman code") }
            r.bitBuf >>= UInt64(len)
            r.bitCount -= len
            return Int(e >> 8)
        }
    }

    static let lengthBase = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258]
    static let lengthExtra = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
    static let distBase = [
        1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193,
        12289, 16385, 24577,
    ]
    static let distExtra = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]
    static let clOrder = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]

    static let fixedLit: Huffman = {
        var l = [Int](repeating: 8, count: 288)
        for i in 144..<256 { l[i] = 9 }
        for i in 256..<280 { l[i] = 7 }
        return try! Huffman(lengths: l)
    }()
    static let fixedDist: Huffman = try! Huffman(lengths: [Int](repeating: 5, count: 30))

    static func inflate(_ r: inout BitReader, into out: inout [UInt8], limit: Int) throws(CodecError) {
        var final = false
        while !final {
            final = try r.bits(1) == 1
            let type = try r.bits(2)
            switch type {
            case 0:
                r.alignToByte()
                let len = try r.bits(16), nlen = try r.bits(16)
                guard len == (~nlen & 0xFFFF) else { throw CodecError("deflate: stored block length check failed") }
                for _ in 0..<len { out.append(UInt8(try r.bits(8))) }
            case 1:
                try codes(&r, &out, Inflate.fixedLit, Inflate.fixedDist, limit: limit)
            case 2:
                let hlit = try r.bits(5) + 257, hdist = try r.bits(5) + 1, hclen = try r.bits(4) + 4
                var cl = [Int](repeating: 0, count: 19)
                for i in 0..<hclen { cl[Inflate.clOrder[i]] = try r.bits(3) }
                let clCode = try Huffman(lengths: cl)
                var lengths: [Int] = []
                lengths.reserveCapacity(hlit + hdist)
                while lengths.count < hlit + hdist {
                    let sym = try clCode.decode(&r)
                    switch sym {
                    case 0..<16: lengths.append(sym)
                    case 16:
                        guard let prev = lengths.last else { throw CodecError("deflate: repeat with no previous length") }
                        for _ in 0..<(3 + (try r.bits(2))) { lengths.append(prev) }
                    case 17: for _ in 0..<(3 + (try r.bits(3))) { lengths.append(0) }
                    default: for _ in 0..<(11 + (try r.bits(7))) { lengths.append(0) }
                    }
                }
                guard lengths.count == hlit + hdist else { throw CodecError("deflate: too many code lengths") }
                let lit = try Huffman(lengths: Array(lengths[0..<hlit]))
                let dist = try Huffman(lengths: Array(lengths[hlit...]))
                try codes(&r, &out, lit, dist, limit: limit)
            default:
                throw CodecError("deflate: invalid block type")
            }
            if out.count > limit { throw CodecError("deflate: more data than expected") }
        }
    }

    static func codes(_ r: inout BitReader, _ out: inout [UInt8], _ lit: Huffman, _ dist: Huffman, limit: Int) throws(CodecError) {
        while true {
            let sym = try lit.decode(&r)
            if sym < 256 {
                out.append(UInt8(sym))
            } else if sym == 256 {
                return
            } else {
                let li = sym - 257
                guard li < 29 else { throw CodecError("deflate: bad length code") }
                let len = Inflate.lengthBase[li] + (try r.bits(Inflate.lengthExtra[li]))
                let di = try dist.decode(&r)
                guard di < 30 else { throw CodecError("deflate: bad distance code") }
                let d = Inflate.distBase[di] + (try r.bits(Inflate.distExtra[di]))
                guard d <= out.count else { throw CodecError("deflate: distance past the start") }
                copyMatch(&out, offset: d, length: len)
                if out.count > limit { throw CodecError("deflate: more data than expected") }
            }
        }
    }

    /// Deflate with stored (uncompressed) blocks inside a gzip member: valid GZIP for the project's own writer.
    public static func gzipStored(_ input: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 255]
        var i = 0
        repeat {
            let n = min(65535, input.count - i)
            let last = i + n >= input.count
            out.append(last ? 1 : 0)
            out += [UInt8(n & 0xFF), UInt8(n >> 8), UInt8(~n & 0xFF), UInt8((~n >> 8) & 0xFF)]
            out.append(contentsOf: input[i..<(i + n)])
            i += n
        } while i < input.count
        let crc = CRC32.of(input)
        for k in 0..<4 { out.append(UInt8((crc >> (8 * UInt32(k))) & 0xFF)) }
        let size = UInt32(truncatingIfNeeded: input.count)
        for k in 0..<4 { out.append(UInt8((size >> (8 * UInt32(k))) & 0xFF)) }
        return out
    }
}

enum CRC32 {
    static let table: [UInt32] = (0..<256).map { n in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    static func of(_ data: [UInt8]) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for b in data { c = table[Int((c ^ UInt32(b)) & 0xFF)] ^ (c >> 8) }
        return c ^ 0xFFFF_FFFF
    }
}
