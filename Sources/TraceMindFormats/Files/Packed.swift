import FoundationEssentials

/// A compact binary form for the caches' own files (the kept catalog of 10,000 runs): integers as LEB128 varints
/// (signed ones zig-zagged), doubles as their eight bytes, texts as a length and their UTF-8 bytes, optionals with a
/// leading 0/1. Read back with `PackReader`, which checks every length against what is left: a file cut short or
/// overwritten with other bytes reads as nil, never past its end. Written and read by the same version of the
/// program only (the caches' versions say so); for the data of other programs, the formats have their own readers.
public struct PackWriter {
    public private(set) var bytes: [UInt8] = []

    public init() {}

    /// A writer of a file that starts with `magic` (`seal()` ends it).
    public init(magic: [UInt8]) { bytes = magic }

    /// Room for `n` more bytes (a kept catalog of 10,000 runs is 29 MB: grown by doubling, it was copied again and
    /// again).
    public mutating func reserve(_ n: Int) { bytes.reserveCapacity(bytes.count + n) }

    public mutating func uint(_ v: UInt64) {
        var v = v
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }
    public mutating func int(_ v: Int64) { uint(UInt64(bitPattern: (v << 1) ^ (v >> 63))) }
    public mutating func int(_ v: Int) { int(Int64(v)) }
    public mutating func bool(_ v: Bool) { bytes.append(v ? 1 : 0) }
    public mutating func double(_ v: Double) {
        withUnsafeBytes(of: v.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
    }
    public mutating func word(_ v: UInt64) {
        withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) }
    }
    public mutating func text(_ s: String) {
        var s = s
        s.withUTF8 { u in
            uint(UInt64(u.count))
            bytes.append(contentsOf: u)
        }
    }
    public mutating func raw(_ b: [UInt8]) {
        uint(UInt64(b.count))
        bytes.append(contentsOf: b)
    }
    public mutating func texts(_ a: [String]) {
        uint(UInt64(a.count))
        for s in a { text(s) }
    }
    public mutating func text(_ s: String?) { optional(s) { $0.text($1) } }
    public mutating func int(_ v: Int?) { optional(v) { $0.int($1) } }
    public mutating func int(_ v: Int64?) { optional(v) { $0.int($1) } }
    public mutating func double(_ v: Double?) { optional(v) { $0.double($1) } }

    /// An optional: 0, or 1 and the value (`PackReader.optional` reads it).
    mutating func optional<T>(_ v: T?, _ write: (inout PackWriter, T) -> Void) {
        bool(v != nil)
        if let v { write(&self, v) }
    }
    /// Appends bytes as they are.
    public mutating func append(_ other: [UInt8]) { bytes += other }

    /// Records of their own lengths, written so that `PackReader.records(_:)` finds each without reading the others
    /// (and they are read on all cores): every record's length, then the records.
    public mutating func records(_ parts: [[UInt8]]) {
        reserve(parts.reduce(10 * parts.count + 8) { $0 + $1.count })
        for p in parts { uint(UInt64(p.count)) }
        for p in parts { bytes += p }
    }

    /// A file's bytes: the magic (`init(magic:)`), what was written, and a hash of both, appended in place, which
    /// `PackReader(sealed:magic:)` checks (a file cut short or changed reads as none).
    public consuming func seal() -> [UInt8] {
        let sum = bytes.withUnsafeBytes { Hash64.seal($0) }
        withUnsafeBytes(of: sum.littleEndian) { bytes.append(contentsOf: $0) }
        return bytes
    }
}

/// Reads what `PackWriter` wrote, in the same order; every read is nil once the bytes do not hold what is asked for.
public struct PackReader {
    let base: UnsafeRawBufferPointer
    public private(set) var at: Int
    let end: Int

    /// Reads `bytes[range]`; the buffer must outlive the reader (use it inside `withUnsafeBytes`).
    public init(_ bytes: UnsafeRawBufferPointer, range: Range<Int>? = nil) {
        base = bytes
        at = range?.lowerBound ?? 0
        end = range?.upperBound ?? bytes.count
    }

    /// A reader of what `PackWriter.seal()` wrote; nil when the bytes do not start with `magic` or their hash
    /// is not the one at their end.
    public init?(sealed all: UnsafeRawBufferPointer, magic: [UInt8]) {
        let n = all.count, m = magic.count
        guard n >= m + 8, all.prefix(m).elementsEqual(magic),
            Hash64.seal(UnsafeRawBufferPointer(rebasing: all[..<(n - 8)]))
                == UInt64(littleEndian: all.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self))
        else { return nil }
        self.init(all, range: m..<(n - 8))
    }

    public var isAtEnd: Bool { at == end }
    /// Where the bytes being read end.
    public var endIndex: Int { end }

    public mutating func uint() -> UInt64? {
        var v: UInt64 = 0, shift: UInt64 = 0
        while at < end {
            let b = base[at]
            at += 1
            if shift == 63 && b > 1 { return nil }
            v |= UInt64(b & 0x7F) << shift
            if b < 0x80 { return v }
            shift += 7
            if shift > 63 { return nil }
        }
        return nil
    }
    public mutating func int() -> Int? {
        guard let u = uint() else { return nil }
        return Int(Int64(bitPattern: (u >> 1) ^ (0 &- (u & 1))))
    }
    public mutating func int64() -> Int64? { int().map(Int64.init) }
    /// A count of things each at least one byte long: never more than the bytes left.
    public mutating func count() -> Int? {
        guard let u = uint(), u <= UInt64(end - at) else { return nil }
        return Int(u)
    }
    public mutating func bool() -> Bool? {
        guard at < end, base[at] <= 1 else { return nil }
        at += 1
        return base[at - 1] == 1
    }
    public mutating func word() -> UInt64? {
        guard end - at >= 8 else { return nil }
        let v = base.loadUnaligned(fromByteOffset: at, as: UInt64.self)
        at += 8
        return UInt64(littleEndian: v)
    }
    public mutating func double() -> Double? { word().map { Double(bitPattern: $0) } }
    public mutating func text() -> String? {
        guard let n = count() else { return nil }
        let s = String(decoding: UnsafeRawBufferPointer(rebasing: base[at..<at + n]), as: UTF8.self)
        at += n
        return s
    }
    /// Where the bytes `PackWriter.raw` wrote are, without copying them.
    public mutating func rawRange() -> Range<Int>? {
        guard let n = count() else { return nil }
        at += n
        return (at - n)..<at
    }
    /// Where each of `count` records `PackWriter.records(_:)` wrote is, when they fill what is left exactly; nil
    /// otherwise (lengths are checked as they are read: no sum of forged ones overflows).
    public mutating func records(_ count: Int) -> [Range<Int>]? {
        var lengths: [Int] = []
        lengths.reserveCapacity(count)
        var total = 0
        for _ in 0..<count {
            guard let n = self.count(), n <= end - at - total else { return nil }
            total += n
            lengths.append(n)
        }
        guard at + total == end else { return nil }
        var start = at
        at = end
        return lengths.map { n in
            defer { start += n }
            return start..<(start + n)
        }
    }
    public mutating func texts() -> [String]? {
        guard let n = count() else { return nil }
        var out: [String] = []
        out.reserveCapacity(n)
        for _ in 0..<n {
            guard let s = text() else { return nil }
            out.append(s)
        }
        return out
    }
    /// An optional: `.some(nil)` when it was written as nil, nil when the bytes are not one.
    public mutating func optionalText() -> String?? { optional { $0.text() } }
    public mutating func optionalInt() -> Int?? { optional { $0.int() } }
    public mutating func optionalInt64() -> Int64?? { optional { $0.int64() } }
    public mutating func optionalDouble() -> Double?? { optional { $0.double() } }

    mutating func optional<T>(_ read: (inout PackReader) -> T?) -> T?? {
        guard let present = bool() else { return nil }
        if !present { return .some(nil) }
        guard let v = read(&self) else { return nil }
        return .some(v)
    }
}
