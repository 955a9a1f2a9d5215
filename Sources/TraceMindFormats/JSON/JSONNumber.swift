import CProcess
import FoundationEssentials

extension Cursor {
    mutating func parseNumber() throws(JSONParseError) -> JSON {
        let start = i
        var negative = false
        if raw[i] == UInt8(ascii: "-") {
            negative = true
            i += 1
            if peek == UInt8(ascii: "I") { try literal("Infinity"); return .double(-.infinity) }
        }
        var mag: UInt64 = 0
        var overflow = false
        var digits = 0
        // Eight digits at a time while the magnitude cannot overflow (nineteen digits always fit): a span's times are
        // nineteen-digit nanoseconds, two a span.
        while digits <= 11, end - i >= 8 {
            let w = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            guard Cursor.eightDigits(w) else { break }
            mag = mag &* 100_000_000 &+ Cursor.valueOfEightDigits(w)
            digits += 8
            i += 8
        }
        while i < end, raw[i] >= 0x30, raw[i] <= 0x39 {
            let d = UInt64(raw[i] - 0x30)
            let (m1, o1) = mag.multipliedReportingOverflow(by: 10)
            let (m2, o2) = m1.addingReportingOverflow(d)
            if o1 || o2 { overflow = true } else { mag = m2 }
            digits += 1
            i += 1
        }
        guard digits > 0 else { throw error("invalid number") }
        var isFloat = false
        // The digits after the point go on into `mantissa` while it is exact: with the exponent, the fast path below.
        var mantissa = mag, exact = !overflow, fractionDigits = 0, exponent = 0
        if i < end, raw[i] == UInt8(ascii: ".") {
            isFloat = true
            i += 1
            var fd = 0
            while i < end, raw[i] >= 0x30, raw[i] <= 0x39 {
                if exact {
                    if mantissa <= (UInt64.max - 9) / 10 {
                        mantissa = mantissa * 10 + UInt64(raw[i] - 0x30)
                        fractionDigits += 1
                    } else {
                        exact = false
                    }
                }
                i += 1
                fd += 1
            }
            guard fd > 0 else { throw error("invalid number") }
        }
        if i < end, raw[i] == UInt8(ascii: "e") || raw[i] == UInt8(ascii: "E") {
            isFloat = true
            i += 1
            var negativeExponent = false
            if i < end, raw[i] == UInt8(ascii: "+") || raw[i] == UInt8(ascii: "-") {
                negativeExponent = raw[i] == UInt8(ascii: "-")
                i += 1
            }
            var ed = 0
            while i < end, raw[i] >= 0x30, raw[i] <= 0x39 {
                if exponent < 100_000 { exponent = exponent * 10 + Int(raw[i] - 0x30) }
                i += 1
                ed += 1
            }
            guard ed > 0 else { throw error("invalid number") }
            if negativeExponent { exponent = -exponent }
        }
        // Clinger's fast path: a mantissa of at most 2^53 and a power of ten of at most 10^22 are exact doubles, and
        // one product or quotient of two exact doubles is correctly rounded: the double `strtod` gives.
        if isFloat, exact, mantissa <= 1 << 53 {
            let e10 = exponent - fractionDigits
            if e10 >= -22 && e10 <= 22 {
                let m = Double(mantissa)
                let d = e10 >= 0 ? m * Cursor.powersOfTen[e10] : m / Cursor.powersOfTen[-e10]
                return .double(negative ? -d : d)
            }
        }
        if !isFloat && !overflow {
            if negative {
                if mag <= UInt64(Int64.max) + 1 { return .int(mag == UInt64(Int64.max) + 1 ? Int64.min : -Int64(mag)) }
            } else if mag <= UInt64(Int64.max) {
                return .int(Int64(mag))
            }
        }
        // Slow path: let the C library round correctly, in the C locale whatever the process's (the browser takes
        // the user's for its text; a locale whose decimal separator is a comma would stop at the point).
        let len = i - start
        let d = withUnsafeTemporaryAllocation(of: CChar.self, capacity: len + 1) { buf in
            for k in 0..<len { buf[k] = CChar(bitPattern: raw[start + k]) }
            buf[len] = 0
            return tm_strtod_c(buf.baseAddress!)
        }
        return .double(d)
    }

    /// Whether the eight bytes of `w` (the first in its lowest byte) are all ASCII digits: each byte's high half is 3,
    /// and still 3 with 6 added (a carry out of a byte above 0xF9 only spoils a byte already refused by the first test).
    @inline(__always)
    static func eightDigits(_ w: UInt64) -> Bool {
        let high: UInt64 = 0xF0F0_F0F0_F0F0_F0F0
        return (w & high) | (((w &+ 0x0606_0606_0606_0606) & high) >> 4) == 0x3333_3333_3333_3333
    }

    /// The value of eight ASCII digits, the first in the lowest byte: pairs, then fours, then the eight combined by
    /// three multiplications.
    @inline(__always)
    static func valueOfEightDigits(_ w: UInt64) -> UInt64 {
        var v = w & 0x0F0F_0F0F_0F0F_0F0F
        v = (v &* 2561) >> 8
        v = ((v & 0x00FF_00FF_00FF_00FF) &* 6_553_601) >> 16
        return ((v & 0x0000_FFFF_0000_FFFF) &* 42_949_672_960_001) >> 32
    }

    /// 10^0 … 10^22, each an exact double.
    static let powersOfTen: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
        1e20, 1e21, 1e22,
    ]
}
