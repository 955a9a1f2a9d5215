import Foundation

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
    public static func stream(_ value: JSON, pretty: Bool = true, chunk: Int = 1 << 20, _ sink: @escaping (UnsafeRawBufferPointer) -> Void) {
        var out: [UInt8] = []
        out.reserveCapacity(chunk + 64 * 1024)
        let flush = Flush(threshold: chunk, sink: sink)
        write(value, into: &out, pretty: pretty, indent: 0, step: 2, flush: flush)
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
        var out: [UInt8] = []
        out.reserveCapacity(64 * 1024)
        out.append(UInt8(ascii: "{"))
        for (n, (k, v)) in (head + [(key, .null)]).enumerated() {
            if n > 0 { out.append(UInt8(ascii: ",")) }
            newline(&out, 2)
            writeString(k, into: &out)
            out.append(contentsOf: ": ".utf8)
            if n < head.count { write(v, into: &out, pretty: true, indent: 2, step: 2) }
        }
        out.withUnsafeBytes(sink)
        out.removeAll(keepingCapacity: true)
        elementsText(count: count, batch: batch, indent: 2, elements: elements, sink)
        newline(&out, 0)
        out.append(UInt8(ascii: "}"))
        out.append(0x0A)
        out.withUnsafeBytes(sink)
    }

    /// Writes a pretty array of `count` elements made a run at a time on demand (`elements` of a range of indices),
    /// in batches made on all cores: the same text as `stream` of the whole array.
    public static func stream(
        count: Int, batch: Int = 4096, elements: @escaping @Sendable (Range<Int>) -> [JSON], _ sink: @escaping (UnsafeRawBufferPointer) -> Void
    ) {
        elementsText(count: count, batch: batch, indent: 0, elements: elements, sink)
        [UInt8(0x0A)].withUnsafeBytes(sink)
    }

    /// `[`, the elements at `indent + 2`, `]` (`[]` when there are none), written in batches made on all cores.
    static func elementsText(
        count: Int, batch: Int, indent: Int, elements: @escaping @Sendable (Range<Int>) -> [JSON], _ sink: @escaping (UnsafeRawBufferPointer) -> Void
    ) {
        if count == 0 {
            Array("[]".utf8).withUnsafeBytes(sink)
            return
        }
        [UInt8(ascii: "[")].withUnsafeBytes(sink)
        let workers = max(1, ProcessInfo.processInfo.activeProcessorCount)
        var lo = 0
        while lo < count {
            let hi = min(count, lo + batch)
            let parts = min(hi - lo, workers * 2)
            let texts = UnsafeMutableBufferPointer<[UInt8]>.allocate(capacity: parts)
            texts.initialize(repeating: [])
            let shared = UncheckedTexts(texts)
            let start = lo
            DispatchQueue.concurrentPerform(iterations: parts) { p in
                var t: [UInt8] = []
                let run = (start + p * (hi - start) / parts)..<(start + (p + 1) * (hi - start) / parts)
                for (i, v) in zip(run, elements(run)) {
                    if i > 0 { t.append(UInt8(ascii: ",")) }
                    newline(&t, indent + 2)
                    write(v, into: &t, pretty: true, indent: indent + 2, step: 2)
                }
                shared.texts[p] = t
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
        out.append(contentsOf: repeatElement(0x20, count: indent))
    }

    static func write(_ v: JSON, into out: inout [UInt8], pretty: Bool, indent: Int, step: Int, flush: Flush? = nil) {
        switch v {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .int(let i): writeInt(i, into: &out)
        case .double(let d):
            if let i = integral(d) {
                writeInt(i, into: &out, negativeZero: d.sign == .minus && d == 0)
                out.append(contentsOf: ".0".utf8)
            } else {
                out.append(contentsOf: formatNumber(d).utf8)
            }
        case .string(let s): writeString(s, into: &out)
        case .array(let a):
            if a.isEmpty { out.append(contentsOf: "[]".utf8); return }
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
            if o.isEmpty { out.append(contentsOf: "{}".utf8); return }
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

    /// Decimal digits without a `String` in between (reports write hundreds of thousands of numbers).
    @inline(__always)
    static func writeInt(_ i: Int64, into out: inout [UInt8], negativeZero: Bool = false) {
        if i < 0 || negativeZero { out.append(UInt8(ascii: "-")) }
        var m = i.magnitude
        if m < 10 {
            out.append(0x30 + UInt8(m))
            return
        }
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes: UInt64.max has 20 digits
        var n = 0
        withUnsafeMutableBytes(of: &digits) { buf in
            while m > 0 {
                buf[23 - n] = 0x30 + UInt8(m % 10)
                m /= 10
                n += 1
            }
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: buf[(24 - n)...]))
        }
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
        out.append(UInt8(ascii: "\""))
        var s = s
        s.withUTF8 { u in
            let hex = hexDigits
            func escape(_ v: UInt32) {
                out.append(contentsOf: "\\u".utf8)
                out.append(hex[Int(v >> 12 & 0xF)])
                out.append(hex[Int(v >> 8 & 0xF)])
                out.append(hex[Int(v >> 4 & 0xF)])
                out.append(hex[Int(v & 0xF)])
            }
            var runStart = 0
            var i = 0
            let n = u.count
            while i < n {
                let c = u[i]
                // The escaped scalar and how many bytes it spans, or nil to keep the byte.
                var special: (UInt32, Int)?
                if c < 0x20 || c == 0x22 || c == 0x5C || c == 0x7F {
                    special = (UInt32(c), 1)
                } else if c == 0xC2, i + 1 < n, (0x80...0x9F).contains(u[i + 1]) {
                    special = (UInt32(u[i + 1]), 2)
                } else if c == 0xD8, i + 1 < n, u[i + 1] == 0x9C {
                    special = (0x061C, 2)
                } else if c == 0xE2, i + 2 < n {
                    let b1 = u[i + 1], b2 = u[i + 2]
                    if (b1 == 0x80 && (b2 == 0x8E || b2 == 0x8F || (0xA8...0xAE).contains(b2))) || (b1 == 0x81 && (0xA6...0xA9).contains(b2)) {
                        special = (0x2000 | UInt32(b1 & 0x3F) << 6 | UInt32(b2 & 0x3F), 3)
                    }
                }
                guard let (v, len) = special else {
                    i += 1
                    continue
                }
                if runStart < i { out.append(contentsOf: UnsafeBufferPointer(rebasing: u[runStart..<i])) }
                switch v {
                case 0x22: out.append(contentsOf: "\\\"".utf8)
                case 0x5C: out.append(contentsOf: "\\\\".utf8)
                case 0x0A: out.append(contentsOf: "\\n".utf8)
                case 0x0D: out.append(contentsOf: "\\r".utf8)
                case 0x09: out.append(contentsOf: "\\t".utf8)
                default: escape(v)
                }
                i += len
                runStart = i
            }
            if runStart < n { out.append(contentsOf: UnsafeBufferPointer(rebasing: u[runStart..<n])) }
        }
        out.append(UInt8(ascii: "\""))
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
