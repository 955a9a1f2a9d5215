import CCodecs

/// A compressed input that could not be decoded, or would decode past its limit.
public struct CodecError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Zstandard through the system's libzstd: every frame of the input (skippable frames skipped), decoded as a stream
/// so a frame that does not record its size is still bounded by `limit`.
public enum Zstd {
    public static func decompress(_ input: [UInt8], limit: Int = 1 << 31) throws(CodecError) -> [UInt8] {
        if input.isEmpty { return [] }
        guard let ctx = ZSTD_createDStream() else { throw CodecError("zstd: out of memory") }
        defer { ZSTD_freeDStream(ctx) }
        let declared = input.withUnsafeBytes { ZSTD_getFrameContentSize($0.baseAddress, $0.count) }
        // A declared size (of the first frame) is a hint for the first allocation, never trusted past `limit`.
        let known = declared < UInt64(Int.max) ? Int(declared) : nil
        var out = [UInt8](repeating: 0, count: min(limit, max(known ?? 0, min(input.count * 4, 1 << 22), 64)))
        var produced = 0
        var lastResult = 0
        let failure: String? = input.withUnsafeBytes { src -> String? in
            var inBuf = ZSTD_inBuffer(src: src.baseAddress, size: src.count, pos: 0)
            while true {
                if produced == out.count {
                    guard out.count < limit else { return "zstd: the data decodes to more than \(limit) bytes" }
                    out.append(contentsOf: repeatElement(0, count: min(limit - out.count, max(out.count, 1 << 16))))
                }
                let before = inBuf.pos
                let (ret, pos) = out.withUnsafeMutableBytes { dst -> (Int, Int) in
                    var outBuf = ZSTD_outBuffer(dst: dst.baseAddress! + produced, size: dst.count - produced, pos: 0)
                    let r = ZSTD_decompressStream(ctx, &outBuf, &inBuf)
                    return (r, outBuf.pos)
                }
                if ZSTD_isError(ret) != 0 { return "zstd: " + String(cString: ZSTD_getErrorName(ret)) }
                produced += pos
                lastResult = ret
                // All input read and nothing more held back: done (a frame ends with 0; a cut one asks for more).
                if inBuf.pos == inBuf.size && (ret == 0 || produced < out.count) { return nil }
                if pos == 0 && inBuf.pos == before && produced < out.count { return "zstd: the stream makes no progress" }
            }
        }
        if let failure { throw CodecError(failure) }
        guard lastResult == 0 else { throw CodecError("zstd: truncated frame") }
        out.removeSubrange(produced...)
        return out
    }

    /// One frame at `level` (for fixtures and tests).
    public static func compress(_ input: [UInt8], level: Int32 = 3) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: ZSTD_compressBound(input.count))
        let n = input.withUnsafeBytes { src in
            out.withUnsafeMutableBytes { ZSTD_compress($0.baseAddress, $0.count, src.baseAddress, src.count, level) }
        }
        precondition(ZSTD_isError(n) == 0, "ZSTD_compress failed")
        out.removeSubrange(n...)
        return out
    }
}

/// gzip (and zlib) streams through the system's zlib: members back to back are one stream, as `gzip -d` reads them.
public enum Gzip {
    public static func decompress(_ input: [UInt8], limit: Int = 1 << 31) throws(CodecError) -> [UInt8] {
        if input.isEmpty { return [] }
        var stream = z_stream()
        guard tm_inflate_init_auto(&stream) == Z_OK else { throw CodecError("gzip: could not start zlib") }
        defer { inflateEnd(&stream) }
        var out = [UInt8](repeating: 0, count: min(limit, max(min(input.count * 4, 1 << 22), 64)))
        var produced = 0
        let failure: String? = input.withUnsafeBytes { src -> String? in
            var consumed = 0
            while true {
                if produced == out.count {
                    guard out.count < limit else { return "gzip: the data decodes to more than \(limit) bytes" }
                    out.append(contentsOf: repeatElement(0, count: min(limit - out.count, max(out.count, 1 << 16))))
                }
                let availIn = min(src.count - consumed, Int(UInt32.max))
                let (ret, used, made) = out.withUnsafeMutableBytes { dst -> (Int32, Int, Int) in
                    stream.next_in = UnsafeMutablePointer(mutating: src.baseAddress!.assumingMemoryBound(to: UInt8.self) + consumed)
                    stream.avail_in = UInt32(availIn)
                    let room = min(dst.count - produced, Int(UInt32.max))
                    stream.next_out = dst.baseAddress!.assumingMemoryBound(to: UInt8.self) + produced
                    stream.avail_out = UInt32(room)
                    let r = inflate(&stream, Z_NO_FLUSH)
                    return (r, availIn - Int(stream.avail_in), room - Int(stream.avail_out))
                }
                consumed += used
                produced += made
                switch ret {
                case Z_STREAM_END:
                    // Another member follows, or only padding does.
                    let rest = src[consumed...]
                    if rest.allSatisfy({ $0 == 0 }) { return nil }
                    guard inflateReset(&stream) == Z_OK else { return "gzip: could not restart zlib" }
                case Z_OK:
                    continue
                case Z_BUF_ERROR:
                    // No progress possible: out of input mid-stream (room was there), or out of room (grown above).
                    if produced < out.count { return "gzip: truncated stream" }
                default:
                    let detail = stream.msg.map { String(cString: $0) } ?? "error \(ret)"
                    return "gzip: " + detail
                }
            }
        }
        if let failure { throw CodecError(failure) }
        out.removeSubrange(produced...)
        return out
    }

    /// One gzip member at `level` (for fixtures and tests).
    public static func compress(_ input: [UInt8], level: Int32 = 6) -> [UInt8] {
        var stream = z_stream()
        precondition(tm_deflate_init_gzip(&stream, level) == Z_OK, "deflateInit2 failed")
        defer { deflateEnd(&stream) }
        var out = [UInt8](repeating: 0, count: Int(deflateBound(&stream, UInt(input.count))) + 32)
        let n = input.withUnsafeBytes { src in
            out.withUnsafeMutableBytes { dst -> Int in
                stream.next_in = UnsafeMutablePointer(mutating: src.baseAddress?.assumingMemoryBound(to: UInt8.self))
                stream.avail_in = UInt32(src.count)
                stream.next_out = dst.baseAddress!.assumingMemoryBound(to: UInt8.self)
                stream.avail_out = UInt32(dst.count)
                precondition(deflate(&stream, Z_FINISH) == Z_STREAM_END, "deflate did not finish")
                return dst.count - Int(stream.avail_out)
            }
        }
        out.removeSubrange(n...)
        return out
    }
}

/// Snappy blocks through the system's libsnappy; the decoded length is read from the block and checked against
/// `limit` before anything is allocated.
public enum Snappy {
    public static func decompress(_ input: [UInt8], limit: Int = 1 << 31) throws(CodecError) -> [UInt8] {
        var length = 0
        let status = input.withUnsafeBytes { src in
            src.withMemoryRebound(to: CChar.self) { snappy_uncompressed_length($0.baseAddress, $0.count, &length) }
        }
        guard status == SNAPPY_OK else { throw CodecError("snappy: not a snappy block") }
        guard length <= limit else { throw CodecError("snappy: the block decodes to \(length) bytes, more than \(limit)") }
        var out = [UInt8](repeating: 0, count: length)
        var got = length
        let ok = input.withUnsafeBytes { src in
            src.withMemoryRebound(to: CChar.self) { s in
                out.withUnsafeMutableBytes { dst in
                    dst.withMemoryRebound(to: CChar.self) { snappy_uncompress(s.baseAddress, s.count, $0.baseAddress, &got) }
                }
            }
        }
        guard ok == SNAPPY_OK, got == length else { throw CodecError("snappy: damaged block") }
        return out
    }

    /// One snappy block (for fixtures and tests).
    public static func compress(_ input: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: snappy_max_compressed_length(input.count))
        var n = out.count
        let status = input.withUnsafeBytes { src in
            src.withMemoryRebound(to: CChar.self) { s in
                out.withUnsafeMutableBytes { dst in
                    dst.withMemoryRebound(to: CChar.self) { snappy_compress(s.baseAddress, s.count, $0.baseAddress, &n) }
                }
            }
        }
        precondition(status == SNAPPY_OK, "snappy_compress failed")
        out.removeSubrange(n...)
        return out
    }
}
