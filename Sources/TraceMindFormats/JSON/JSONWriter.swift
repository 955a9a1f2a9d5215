import Dispatch
import FoundationEssentials

/// Serialises `JSON` deterministically (key order kept). Used by the report CLI and the generator.
public enum JSONWriter {
    public static func string(_ value: JSON, pretty: Bool = true, indentStep: Int = 2) -> String {
        String(decoding: bytes(value, pretty: pretty, indentStep: indentStep), as: UTF8.self)
    }

    public static func data(_ value: JSON, pretty: Bool = true) -> Data {
        Data(bytes(value, pretty: pretty))
    }

    /// The UTF-8 text, written into one byte buffer (a report of a large run is a few hundred KB: appending to a
    /// `String` piece by piece cost more than building the report).
    public static func bytes(_ value: JSON, pretty: Bool = true, indentStep: Int = 2) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(4096)
        write(value, into: &out, pretty: pretty, indent: 0, step: indentStep)
        return out
    }

    /// Writes the text to `sink` in pieces of about `chunk` bytes, a trailing newline last: a report of hundreds of MB
    /// is never held whole (nor copied into a `String` and checked again as UTF-8).
    ///
    /// Pretty, an object's members whose value is an array of at least `parallelArrayFrom` elements (a run's tests, a
    /// report's rows) have their elements' text made on all cores, in parts (`streamObject`): the same bytes.
    public static func stream(_ value: JSON, pretty: Bool = true, chunk: Int = 1 << 20, _ sink: @escaping (UnsafeRawBufferPointer) -> Void) {
        if pretty, case .object(let o) = value, o.values.contains(where: { ($0.arrayValue?.count ?? 0) >= parallelArrayFrom }) {
            streamObject(zip(o.keys, o.values).map { k, v in
                guard case .array(let a) = v, a.count >= parallelArrayFrom else { return (k, .value(v)) }
                return (k, .elements(count: a.count, batch: 4096, writing: { run, t in for i in run { t.element(a[i]) } }))
            }, chunk: chunk, sink)
            return
        }
        var out: [UInt8] = []
        out.reserveCapacity(chunk + 64 * 1024)
        let flush = Flush(threshold: chunk, sink: sink)
        write(value, into: &out, pretty: pretty, indent: 0, step: 2, flush: flush)
        out.append(0x0A)
        out.withUnsafeBytes(sink)
    }

    /// Arrays of at least this many elements, members of a streamed object, are written on all cores.
    static let parallelArrayFrom = 64

    /// A member of an object written by `streamObject`: a value, or an array whose elements' text `writing` makes a
    /// run of indices at a time, in batches on all cores.
    enum StreamedMember {
        case value(JSON)
        case elements(count: Int, batch: Int, writing: @Sendable (Range<Int>, inout JSONElementText) -> Void)
    }

    /// A pretty object of at least one member and a trailing newline, in pieces of about `chunk` bytes: the text
    /// `stream` writes of the object the members make.
    static func streamObject(_ members: [(String, StreamedMember)], chunk: Int = 1 << 20, _ sink: @escaping (UnsafeRawBufferPointer) -> Void) {
        var out: [UInt8] = []
        out.reserveCapacity(64 * 1024)
        let flush = Flush(threshold: chunk, sink: sink)
        out.append(UInt8(ascii: "{"))
        for (n, (k, m)) in members.enumerated() {
            if n > 0 { out.append(UInt8(ascii: ",")) }
            newline(&out, 2)
            writeString(k, into: &out)
            out.append(contentsOf: ": ".utf8)
            switch m {
            case .value(let v):
                write(v, into: &out, pretty: true, indent: 2, step: 2, flush: flush)
                flush.check(&out)
            case .elements(let count, let batch, let writing):
                out.withUnsafeBytes(sink)
                out.removeAll(keepingCapacity: true)
                elementsText(count: count, batch: batch, indent: 2, writing: writing, sink)
            }
        }
        newline(&out, 0)
        out.append(UInt8(ascii: "}"))
        out.append(0x0A)
        out.withUnsafeBytes(sink)
    }

    /// Writes a pretty object whose last member, `key`, is an array of `count` elements made on demand: the text is
    /// the same as `stream` of the whole object, but the elements are made and written in batches on all cores, so a
    /// report of a million spans never holds a million elements (nor their text) at once.
    public static func stream(
        head: [(String, JSON)], key: String, count: Int, batch: Int = 4096, element: @escaping @Sendable (Int) -> JSON,
        _ sink: @escaping (UnsafeRawBufferPointer) -> Void
    ) {
        stream(head: head, key: key, count: count, batch: batch, elements: { $0.map(element) }, sink)
    }

    /// `stream(head:key:count:element:)` with the elements made a run at a time (`elements` of a range of indices).
    public static func stream(
        head: [(String, JSON)], key: String, count: Int, batch: Int = 4096, elements: @escaping @Sendable (Range<Int>) -> [JSON],
        _ sink: @escaping (UnsafeRawBufferPointer) -> Void
    ) {
        stream(head: head, key: key, count: count, batch: batch, writing: JSONElementText.of(elements), sink)
    }

    /// `stream(head:key:count:elements:)` with the elements' text written a run at a time by `writing` (a report that
    /// writes part of an element from text it already has, not from a value).
    public static func stream(
        head: [(String, JSON)], key: String, count: Int, batch: Int = 4096, writing: @escaping @Sendable (Range<Int>, inout JSONElementText) -> Void,
        _ sink: @escaping (UnsafeRawBufferPointer) -> Void
    ) {
        streamObject(head.map { ($0.0, .value($0.1)) } + [(key, .elements(count: count, batch: batch, writing: writing))], sink)
    }

    /// Writes a pretty array of `count` elements whose text `writing` writes a run at a time (a range of indices), in
    /// batches made on all cores: the same text as `stream` of the whole array.
    public static func stream(
        count: Int, batch: Int = 4096, writing: @escaping @Sendable (Range<Int>, inout JSONElementText) -> Void,
        _ sink: @escaping (UnsafeRawBufferPointer) -> Void
    ) {
        elementsText(count: count, batch: batch, indent: 0, writing: writing, sink)
        [UInt8(0x0A)].withUnsafeBytes(sink)
    }

    /// `[`, the elements at `indent + 2`, `]` (`[]` when there are none), written in batches made on all cores.
    static func elementsText(
        count: Int, batch: Int, indent: Int, writing: @escaping @Sendable (Range<Int>, inout JSONElementText) -> Void,
        _ sink: @escaping (UnsafeRawBufferPointer) -> Void
    ) {
        if count == 0 {
            Array("[]".utf8).withUnsafeBytes(sink)
            return
        }
        [UInt8(ascii: "[")].withUnsafeBytes(sink)
        let workers = Parallel.cores
        let sizes = ElementSizes()
        var lo = 0
        while lo < count {
            let hi = min(count, lo + batch)
            // Eight parts a core, handed out as cores come free: a part of heavy elements (long attributes) does not
            // keep the other cores waiting at the end of the batch.
            let parts = min(hi - lo, workers * 8)
            let texts = UnsafeMutableBufferPointer<[UInt8]>.allocate(capacity: parts)
            texts.initialize(repeating: [])
            let shared = UncheckedTexts(texts)
            let start = lo
            Parallel.perform(iterations: parts) { p in
                let run = (start + p * (hi - start) / parts)..<(start + (p + 1) * (hi - start) / parts)
                var t = JSONElementText(indent: indent + 2, next: run.lowerBound, capacity: sizes.room(run.count))
                writing(run, &t)
                sizes.add(bytes: t.bytes.count, elements: run.count)
                shared.texts[p] = t.bytes
            }
            for p in 0..<parts { texts[p].withUnsafeBytes(sink) }
            texts.deinitialize()
            texts.deallocate()
            lo = hi
        }
        var out: [UInt8] = []
        newline(&out, indent)
        out.append(UInt8(ascii: "]"))
        out.withUnsafeBytes(sink)
    }

    /// The pretty text of `v` whose first line is at `indent` (its opening bracket where the caller is).
    public static func writePretty(_ v: JSON, into out: inout [UInt8], indent: Int) {
        write(v, into: &out, pretty: true, indent: indent, step: 2)
    }

    /// The workers' texts of one batch, each written by one worker.
    private final class UncheckedTexts: @unchecked Sendable {
        let texts: UnsafeMutableBufferPointer<[UInt8]>
        init(_ t: UnsafeMutableBufferPointer<[UInt8]>) { texts = t }
    }

    /// Hands the buffer to a sink once it holds `threshold` bytes (checked between elements).
    final class Flush {
        let threshold: Int
        let sink: (UnsafeRawBufferPointer) -> Void
        init(threshold: Int, sink: @escaping (UnsafeRawBufferPointer) -> Void) {
            self.threshold = threshold
            self.sink = sink
        }
        @inline(__always) func check(_ out: inout [UInt8]) {
            guard out.count >= threshold else { return }
            out.withUnsafeBytes(sink)
            out.removeAll(keepingCapacity: true)
        }
    }

    static func newline(_ out: inout [UInt8], _ indent: Int) {
        out.append(0x0A)
        // A report's indentation is a few spaces: appended one by one (a call of the generic copy costs more).
        if indent <= 16 {
            for _ in 0..<indent { out.append(0x20) }
            return
        }
        var n = indent
        while n > 0 {
            let k = min(n, spaces.count)
            spaces.withUnsafeBytes { appendBytes(&out, UnsafeRawBufferPointer(rebasing: $0[0..<k])) }
            n -= k
        }
    }

    static let spaces = [UInt8](repeating: 0x20, count: 64)

    /// Appends bytes as one copy (the generic `append(contentsOf:)` of a raw buffer was a few percent of a report).
    @inline(__always)
    static func appendBytes(_ out: inout [UInt8], _ b: UnsafeRawBufferPointer) {
        guard let base = b.baseAddress, b.count > 0 else { return }
        // A few bytes (a literal, a short run between escapes) one by one: the generic copy's call costs more.
        if b.count <= 8 {
            for k in 0..<b.count { out.append(b[k]) }
            return
        }
        out.append(contentsOf: UnsafeBufferPointer(start: base.assumingMemoryBound(to: UInt8.self), count: b.count))
    }

    /// Appends the bytes of a literal (no `String` view in between: that generic path was a few percent of a report).
    @inline(__always)
    static func literal(_ s: StaticString, _ out: inout [UInt8]) {
        appendBytes(&out, UnsafeRawBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
    }

    static func write(_ v: JSON, into out: inout [UInt8], pretty: Bool, indent: Int, step: Int, flush: Flush? = nil) {
        switch v {
        case .null: literal("null", &out)
        case .bool(let b): b ? literal("true", &out) : literal("false", &out)
        case .int(let i): writeInt(i, into: &out)
        case .double(let d): writeDouble(d, into: &out)
        case .string(let s): writeString(s, into: &out)
        case .array(let a):
            if a.isEmpty { literal("[]", &out); return }
            out.append(UInt8(ascii: "["))
            for n in a.indices {
                if n > 0 { out.append(UInt8(ascii: ",")) }
                if pretty { newline(&out, indent + step) }
                write(a[n], into: &out, pretty: pretty, indent: indent + step, step: step, flush: flush)
                flush?.check(&out)
            }
            if pretty { newline(&out, indent) }
            out.append(UInt8(ascii: "]"))
        case .object(let o):
            if o.isEmpty { literal("{}", &out); return }
            out.append(UInt8(ascii: "{"))
            for n in 0..<o.count {
                if n > 0 { out.append(UInt8(ascii: ",")) }
                if pretty { newline(&out, indent + step) }
                writeString(o.keys[n], into: &out)
                out.append(UInt8(ascii: ":"))
                if pretty { out.append(0x20) }
                write(o.values[n], into: &out, pretty: pretty, indent: indent + step, step: step, flush: flush)
                flush?.check(&out)
            }
            if pretty { newline(&out, indent) }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// A number as `formatNumber` writes it.
    @inline(__always)
    static func writeDouble(_ d: Double, into out: inout [UInt8]) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: numberRoom) { b in
            if let n = putDouble(d, at: b.baseAddress!) {
                out.append(contentsOf: UnsafeBufferPointer(start: b.baseAddress!, count: n))
            } else {
                var t = formatNumber(d)
                t.withUTF8 { out.append(contentsOf: $0) }
            }
        }
    }

    /// Decimal digits without a `String` in between (reports write hundreds of thousands of numbers).
    @inline(__always)
    static func writeInt(_ i: Int64, into out: inout [UInt8], negativeZero: Bool = false) {
        if i >= 0, i < 10, !negativeZero {
            out.append(0x30 + UInt8(i))
            return
        }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: numberRoom) { b in
            out.append(contentsOf: UnsafeBufferPointer(start: b.baseAddress!, count: putInt(i, at: b.baseAddress!, negativeZero: negativeZero)))
        }
    }

    /// The most bytes `putInt` and `putDouble` write (a sign and 20 digits; `description`'s longest, 24 bytes).
    static let numberRoom = 32

    /// `writeInt`'s text at `p`; its length.
    @inline(__always)
    static func putInt(_ i: Int64, at p: UnsafeMutablePointer<UInt8>, negativeZero: Bool = false) -> Int {
        var k = 0
        if i < 0 || negativeZero {
            p[0] = UInt8(ascii: "-")
            k = 1
        }
        // The digits from the last, then turned around in place.
        var m = i.magnitude
        var n = k
        repeat {
            p[n] = 0x30 + UInt8(m % 10)
            m /= 10
            n += 1
        } while m > 0
        var (a, z) = (k, n - 1)
        while a < z {
            (p[a], p[z]) = (p[z], p[a])
            a += 1
            z -= 1
        }
        return n
    }

    /// `writeDouble`'s text of `d` at `p` (at most `numberRoom` bytes); its length, or nil for a number that is not
    /// finite (`formatNumber` writes those).
    @inline(__always)
    static func putDouble(_ d: Double, at p: UnsafeMutablePointer<UInt8>) -> Int? {
        if let i = integral(d) {
            let k = putInt(i, at: p, negativeZero: d.sign == .minus && d == 0)
            p[k] = UInt8(ascii: ".")
            p[k + 1] = UInt8(ascii: "0")
            return k + 2
        }
        guard d.isFinite else { return nil }
        // `description` is what `formatNumber` interpolates, without the interpolation's buffer.
        var t = d.description
        return t.withUTF8 { u in
            guard u.count <= numberRoom else { return nil }
            p.update(from: u.baseAddress!, count: u.count)
            return u.count
        }
    }

    /// A text's bytes with their quotes at `p` when none needs escaping (`isPlain`): their length, else nil.
    @inline(__always)
    static func putPlainString(_ u: UnsafeRawBufferPointer, at p: UnsafeMutablePointer<UInt8>) -> Int? {
        guard isPlain(u) else { return nil }
        p[0] = UInt8(ascii: "\"")
        if let base = u.baseAddress, u.count > 0 { UnsafeMutableRawPointer(p + 1).copyMemory(from: base, byteCount: u.count) }
        p[u.count + 1] = UInt8(ascii: "\"")
        return u.count + 2
    }

    static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// A whole number Python writes as `n.0` (below 1e16; larger ones in exponent form).
    @inline(__always)
    static func integral(_ d: Double) -> Int64? { d == d.rounded() && abs(d) < 1e16 ? Int64(d) : nil }

    /// Numbers as Python writes them: NaN/Infinity literals, shortest round-trip doubles.
    public static func formatNumber(_ d: Double) -> String {
        if d.isNaN { return "NaN" }
        if d.isInfinite { return d > 0 ? "Infinity" : "-Infinity" }
        if let i = integral(d) { return (d.sign == .minus && d == 0 ? "-" : "") + String(i) + ".0" }
        return "\(d)"
    }

    public static func writeString(_ s: String, into out: inout String) {
        var b: [UInt8] = []
        writeString(s, into: &b)
        out += String(decoding: b, as: UTF8.self)
    }

    /// A JSON string literal: quotes, backslashes and control characters (C0, DEL and C1) escaped, and so are the
    /// characters that reorder or break lines on a terminal (bidi controls U+061C, U+200E–U+200F, U+202A–U+202E,
    /// U+2066–U+2069, separators U+2028–U+2029): JSON output printed to a terminal holds no raw control. Everything
    /// else is its UTF-8 bytes, copied a run at a time.
    public static func writeString(_ s: String, into out: inout [UInt8]) {
        var s = s
        _ = s.withUTF8 { writeString(utf8: UnsafeRawBufferPointer($0), into: &out) }
    }

    /// `writeString` of text given as bytes: false, with `out` as it was, when they are not valid UTF-8 (the caller
    /// decides what such bytes stand for; a `String`'s bytes always are).
    public static func writeString(utf8 u: UnsafeRawBufferPointer, into out: inout [UInt8]) -> Bool {
        // Most texts need no escape: checked a word at a time (`isPlain`), and written with their quotes in one append
        // (a leaderboard of 10,000 runs writes 130,000 texts).
        if u.count <= 240 {
            let written = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 242) { b -> Bool in
                guard let n = putPlainString(u, at: b.baseAddress!) else { return false }
                out.append(contentsOf: UnsafeBufferPointer(start: b.baseAddress!, count: n))
                return true
            }
            if written { return true }
        }
        let before = out.count
        out.append(UInt8(ascii: "\""))
        let hex = hexDigits
        func escape(_ v: UInt32) {
            literal("\\u", &out)
            out.append(hex[Int(v >> 12 & 0xF)])
            out.append(hex[Int(v >> 8 & 0xF)])
            out.append(hex[Int(v >> 4 & 0xF)])
            out.append(hex[Int(v & 0xF)])
        }
        var runStart = 0
        var i = 0
        let n = u.count
        while i < n {
            // Eight bytes at a time while none needs a look (a control, a quote, a backslash, DEL, or not ASCII).
            while i + 8 <= n {
                let w = UInt64(littleEndian: u.loadUnaligned(fromByteOffset: i, as: UInt64.self))
                if needsLook(w) { break }
                i += 8
            }
            guard i < n else { break }
            let c = u[i]
            if c >= 0x20 && c < 0x7F && c != 0x22 && c != 0x5C {
                i += 1
                continue
            }
            // The escaped scalar and how many bytes it spans, or nil to keep the bytes of a valid sequence.
            var special: (UInt32, Int)?
            if c < 0x80 {
                special = (UInt32(c), 1)
            } else {
                let len = utf8Length(u, i)
                if len == 0 {
                    out.removeSubrange(before...)
                    return false
                }
                if c == 0xC2, u[i + 1] <= 0x9F {
                    special = (UInt32(u[i + 1]), 2)
                } else if c == 0xD8, u[i + 1] == 0x9C {
                    special = (0x061C, 2)
                } else if c == 0xE2 {
                    let b1 = u[i + 1], b2 = u[i + 2]
                    if (b1 == 0x80 && (b2 == 0x8E || b2 == 0x8F || (0xA8...0xAE).contains(b2))) || (b1 == 0x81 && (0xA6...0xA9).contains(b2)) {
                        special = (0x2000 | UInt32(b1 & 0x3F) << 6 | UInt32(b2 & 0x3F), 3)
                    }
                }
                if special == nil {
                    i += len
                    continue
                }
            }
            let (v, len) = special!
            if runStart < i { appendBytes(&out, UnsafeRawBufferPointer(rebasing: u[runStart..<i])) }
            switch v {
            case 0x22: literal("\\\"", &out)
            case 0x5C: literal("\\\\", &out)
            case 0x0A: literal("\\n", &out)
            case 0x0D: literal("\\r", &out)
            case 0x09: literal("\\t", &out)
            default: escape(v)
            }
            i += len
            runStart = i
        }
        if runStart < n { appendBytes(&out, UnsafeRawBufferPointer(rebasing: u[runStart..<n])) }
        out.append(UInt8(ascii: "\""))
        return true
    }

    /// Whether no byte of `u` needs a look (`needsLook`: printable ASCII but a quote or backslash), a word at a time,
    /// the last word ending at the last byte (fewer than eight bytes one by one).
    @inline(__always)
    static func isPlain(_ u: UnsafeRawBufferPointer) -> Bool {
        let n = u.count
        if n < 8 {
            for c in u where c < 0x20 || c >= 0x7F || c == 0x22 || c == 0x5C { return false }
            return true
        }
        var i = 0
        while i + 8 < n {
            if needsLook(UInt64(littleEndian: u.loadUnaligned(fromByteOffset: i, as: UInt64.self))) { return false }
            i += 8
        }
        return !needsLook(UInt64(littleEndian: u.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)))
    }

    /// Whether one of the eight bytes of `w` is below 0x20, a quote, a backslash, DEL or 0x80 and above (the
    /// zero-byte test of each: exact as to whether there is one).
    @inline(__always)
    static func needsLook(_ w: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
        func zeroByte(_ x: UInt64) -> UInt64 { (x &- ones) & ~x & highs }
        let below = (w &- 0x20 &* ones) & ~w & highs
        return (w & highs) | below | zeroByte(w ^ (0x22 &* ones)) | zeroByte(w ^ (0x5C &* ones)) | zeroByte(w ^ (0x7F &* ones)) != 0
    }

    /// The length of the well-formed UTF-8 sequence at `i` of `u` (its first byte 0x80 or more), or 0 when there is none
    /// (a stray continuation byte, an overlong form, a surrogate, beyond U+10FFFF, cut short).
    @inline(__always)
    static func utf8Length(_ u: UnsafeRawBufferPointer, _ i: Int) -> Int {
        let c = u[i], n = u.count
        func cont(_ k: Int, _ lo: UInt8 = 0x80, _ hi: UInt8 = 0xBF) -> Bool { i + k < n && u[i + k] >= lo && u[i + k] <= hi }
        switch c {
        case 0xC2...0xDF: return cont(1) ? 2 : 0
        case 0xE0: return cont(1, 0xA0) && cont(2) ? 3 : 0
        case 0xE1...0xEC, 0xEE...0xEF: return cont(1) && cont(2) ? 3 : 0
        case 0xED: return cont(1, 0x80, 0x9F) && cont(2) ? 3 : 0
        case 0xF0: return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0
        case 0xF1...0xF3: return cont(1) && cont(2) && cont(3) ? 4 : 0
        case 0xF4: return cont(1, 0x80, 0x8F) && cont(2) && cont(3) ? 4 : 0
        default: return 0
        }
    }
}

/// The text of a run of a streamed array's elements, as a worker writes it (`JSONWriter.stream(head:key:count:writing:)`):
/// each element after its separator and on its own line, at `indent`.
public struct JSONElementText {
    public private(set) var bytes: [UInt8] = []
    /// The indentation of the elements' first lines.
    public let indent: Int
    var next: Int

    init(indent: Int, next: Int, capacity: Int = 1 << 16) {
        self.indent = indent
        self.next = next
        bytes.reserveCapacity(capacity)
    }

    /// The next element, written by `body` (the text so far, the indentation) after its separator and line break.
    public mutating func element(_ body: (inout [UInt8], Int) -> Void) {
        if next > 0 { bytes.append(UInt8(ascii: ",")) }
        JSONWriter.newline(&bytes, indent)
        body(&bytes, indent)
        next += 1
    }

    /// The next element, a value.
    public mutating func element(_ v: JSON) {
        element { JSONWriter.writePretty(v, into: &$0, indent: $1) }
    }

    /// The writing of elements made as values a run at a time.
    static func of(_ elements: @escaping @Sendable (Range<Int>) -> [JSON]) -> @Sendable (Range<Int>, inout JSONElementText) -> Void {
        { run, t in for v in elements(run) { t.element(v) } }
    }
}

/// The bytes an element's text took so far in a streamed array, shared by the cores writing its parts: a part's text
/// is given room for its elements at that size from the start. Grown from 64 KB by doubling, the text of a part of a
/// leaderboard of 10,000 runs (~330 KB) was copied three times over, into fresh pages each time.
final class ElementSizes: @unchecked Sendable {
    private let lock = Lock()
    private var bytes = 0, elements = 0

    /// Room for `n` elements: an eighth more than the size so far, or 64 KB before any part is done.
    func room(_ n: Int) -> Int {
        lock.withLock { elements == 0 ? 1 << 16 : bytes / elements * n + bytes / elements * n / 8 + 4096 }
    }

    func add(bytes b: Int, elements n: Int) {
        lock.withLock {
            bytes += b
            elements += n
        }
    }
}

extension JSON: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByNilLiteral, ExpressibleByArrayLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(nilLiteral: ()) { self = .null }
    public init(arrayLiteral elements: JSON...) { self = .array(elements) }
}

extension JSON {
    public static func from(_ s: String?) -> JSON { s.map { .string($0) } ?? .null }
    public static func from(_ d: Double?) -> JSON { d.map { .double($0) } ?? .null }
    public static func from(_ i: Int?) -> JSON { i.map { .int(Int64($0)) } ?? .null }
    public static func from(_ b: Bool?) -> JSON { b.map { .bool($0) } ?? .null }
    /// A record to write (reports): kept in order, not indexed for lookups.
    public static func obj(_ pairs: [(String, JSON)]) -> JSON { .object(JSONObject(writing: pairs)) }
}
