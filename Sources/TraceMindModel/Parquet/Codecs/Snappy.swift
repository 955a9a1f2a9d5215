import Foundation

/// An error in compressed data: what is wrong, never a crash.
public struct CodecError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Snappy (the raw format Parquet uses: a varint length, then literals and copies). Written from the format
/// description in the Snappy repository (`format_description.txt`).
public enum Snappy {
    public static func decompress(_ input: [UInt8], limit: Int = 1 << 31) throws(CodecError) -> [UInt8] {
        var i = 0
        var length = 0
        var shift = 0
        while true {
            guard i < input.count else { throw CodecError("snappy: truncated length") }
            let b = input[i]
            i += 1
            length |= Int(b & 0x7F) << shift
            if b & 0x80 == 0 { break }
            shift += 7
            if shift > 35 { throw CodecError("snappy: bad length") }
        }
        guard length <= limit else { throw CodecError("snappy: \(length) bytes is more than expected") }
        var out = [UInt8]()
        out.reserveCapacity(length)
        while i < input.count {
            let tag = input[i]
            i += 1
            switch tag & 3 {
            case 0:
                var n = Int(tag >> 2) + 1
                if n > 60 {
                    let extra = n - 60
                    guard i + extra <= input.count else { throw CodecError("snappy: truncated literal length") }
                    n = 0
                    for k in 0..<extra { n |= Int(input[i + k]) << (8 * k) }
                    n += 1
                    i += extra
                }
                guard i + n <= input.count, out.count + n <= length else { throw CodecError("snappy: literal past the end") }
                out.append(contentsOf: input[i..<(i + n)])
                i += n
            default:
                var n: Int, offset: Int
                switch tag & 3 {
                case 1:
                    guard i < input.count else { throw CodecError("snappy: truncated copy") }
                    n = 4 + Int((tag >> 2) & 7)
                    offset = Int(tag >> 5) << 8 | Int(input[i])
                    i += 1
                case 2:
                    guard i + 2 <= input.count else { throw CodecError("snappy: truncated copy") }
                    n = Int(tag >> 2) + 1
                    offset = Int(input[i]) | Int(input[i + 1]) << 8
                    i += 2
                default:
                    guard i + 4 <= input.count else { throw CodecError("snappy: truncated copy") }
                    n = Int(tag >> 2) + 1
                    offset = Int(input[i]) | Int(input[i + 1]) << 8 | Int(input[i + 2]) << 16 | Int(input[i + 3]) << 24
                    i += 4
                }
                guard offset > 0, offset <= out.count, out.count + n <= length else { throw CodecError("snappy: bad copy") }
                copyMatch(&out, offset: offset, length: n)
            }
        }
        guard out.count == length else { throw CodecError("snappy: \(out.count) bytes, expected \(length)") }
        return out
    }

    /// A simple greedy compressor (hash of 4 bytes, one candidate): valid Snappy for the project's own Parquet writer.
    public static func compress(_ input: [UInt8]) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(input.count / 2 + 16)
        var n = input.count
        repeat {
            let b = UInt8(n & 0x7F)
            n >>= 7
            out.append(n > 0 ? b | 0x80 : b)
        } while n > 0
        var table = [Int](repeating: -1, count: 1 << 14)
        var i = 0, lit = 0
        func emitLiteral(_ from: Int, _ to: Int) {
            var s = from
            while s < to {
                let len = min(to - s, 65536)
                if len <= 60 {
                    out.append(UInt8((len - 1) << 2))
                } else if len <= 256 {
                    out.append(60 << 2)
                    out.append(UInt8(len - 1))
                } else {
                    out.append(61 << 2)
                    out.append(UInt8((len - 1) & 0xFF))
                    out.append(UInt8((len - 1) >> 8))
                }
                out.append(contentsOf: input[s..<(s + len)])
                s += len
            }
        }
        while i + 4 <= input.count {
            let word = UInt32(input[i]) | UInt32(input[i + 1]) << 8 | UInt32(input[i + 2]) << 16 | UInt32(input[i + 3]) << 24
            let h = Int((word &* 0x1E35_A7BD) >> 18)
            let cand = table[h]
            table[h] = i
            if cand >= 0, i - cand < 65536, input[cand] == input[i], input[cand + 1] == input[i + 1], input[cand + 2] == input[i + 2],
                input[cand + 3] == input[i + 3]
            {
                emitLiteral(lit, i)
                var len = 4
                while i + len < input.count && input[cand + len] == input[i + len] && len < 64 { len += 1 }
                let offset = i - cand
                out.append(UInt8((len - 1) << 2 | 2))
                out.append(UInt8(offset & 0xFF))
                out.append(UInt8(offset >> 8))
                i += len
                lit = i
            } else {
                i += 1
            }
        }
        emitLiteral(lit, input.count)
        return out
    }
}

/// Copies `length` bytes from `offset` back (the ranges may overlap, as LZ77 copies do).
@inline(__always)
func copyMatch(_ out: inout [UInt8], offset: Int, length: Int) {
    let start = out.count - offset
    let end = out.count
    // Grow first, then copy inside the buffer: appending a slice of `out` to itself would copy the whole array.
    out.append(contentsOf: repeatElement(0, count: length))
    out.withUnsafeMutableBufferPointer { p in
        let base = p.baseAddress!
        if offset >= length {
            memcpy(base + end, base + start, length)
        } else {
            for k in 0..<length { base[end + k] = base[start + k] }  // overlapping: a repeating pattern
        }
    }
}
