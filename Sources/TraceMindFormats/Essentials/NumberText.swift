import FoundationEssentials

/// Numbers written as C's `printf` writes them (what `String(format:)` gave) for the few conversions the project uses:
/// `%.Nf` and `%+.Nf`, `%0Nd`, `%0Nx`. Foundation proper is not linked (see `Threads.swift`).
public enum NumberText {
    /// `String(format: "%.<digits>f", v)` (`%+.<digits>f` with `plus`) exactly: the decimal nearest to the double's
    /// exact binary value, a tie to the even digit, a negative sign kept on a figure that rounds to zero, `inf` and
    /// `nan` as C writes them.
    public static func fixed(_ v: Double, _ digits: Int, plus: Bool = false) -> String {
        let digits = max(0, digits)
        let sign = v.sign == .minus ? "-" : (plus ? "+" : "")
        guard v.isFinite else { return sign + (v.isNaN ? "nan" : "inf") }
        let a = abs(v)
        // a = m · 2^e exactly.
        let m = UInt64(a.significandBitPattern | (a.isNormal ? 1 << 52 : 0))
        let e = a.isNormal ? Int(a.exponentBitPattern) - 1075 : -1074
        if digits <= 9 && a < 1e15 { return sign + small(m, e, digits) }
        return sign + exact(m, e, digits)
    }

    /// Integer arithmetic on 128 bits, for the figures a report shows: a · 10^d = m · 5^d · 2^(e + d).
    private static func small(_ m64: UInt64, _ e: Int, _ digits: Int) -> String {
        let m = UInt128(m64)
        var scale: UInt128 = 1, five: UInt128 = 1
        for _ in 0..<digits {
            scale *= 10
            five *= 5
        }
        let x = m * five
        let shift = -(e + digits)
        var q: UInt128
        if shift <= 0 {
            q = x << UInt128(-shift)
        } else if shift >= 127 {
            q = 0  // x < 2^75: below half of the last digit
        } else {
            q = x >> UInt128(shift)
            let rest = x & ((1 << UInt128(shift)) - 1), half = UInt128(1) << UInt128(shift - 1)
            if rest > half || (rest == half && q & 1 == 1) { q += 1 }
        }
        let whole = String(q / scale)
        guard digits > 0 else { return whole }
        let f = String(q % scale)
        return whole + "." + String(repeating: "0", count: digits - f.count) + f
    }

    /// Any finite double and any number of decimals: its exact decimal expansion (a double's is finite), rounded.
    private static func exact(_ m: UInt64, _ e: Int, _ digits: Int) -> String {
        // The value is n / 10^k with n = m · 2^e (k = 0) or m · 5^-e (k = -e).
        var n = BigDecimal(m)
        var k = 0
        if e >= 0 {
            for _ in 0..<e { n.multiply(by: 2) }
        } else {
            for _ in 0..<(-e) { n.multiply(by: 5) }
            k = -e
        }
        var text = Array(n.decimalDigits.utf8)  // n's digits, most significant first
        // At least one digit before the point.
        if text.count <= k { text = [UInt8](repeating: UInt8(ascii: "0"), count: k + 1 - text.count) + text }
        var intCount = text.count - k
        if k <= digits {
            // Exact already: zeros appended.
            text += [UInt8](repeating: UInt8(ascii: "0"), count: digits - k)
        } else {
            // Rounded to `digits` decimals, a tie to even.
            let keep = intCount + digits
            let next = text[keep]
            let restZero = text[(keep + 1)...].allSatisfy { $0 == UInt8(ascii: "0") }
            let last = text[keep - 1]
            var up = next > UInt8(ascii: "5") || (next == UInt8(ascii: "5") && (!restZero || (last - UInt8(ascii: "0")) % 2 == 1))
            text.removeLast(text.count - keep)
            var i = keep - 1
            while up && i >= 0 {
                if text[i] == UInt8(ascii: "9") {
                    text[i] = UInt8(ascii: "0")
                    i -= 1
                } else {
                    text[i] += 1
                    up = false
                }
            }
            if up {
                text.insert(UInt8(ascii: "1"), at: 0)
                intCount += 1
            }
        }
        // Leading zeros of the integer part dropped (one kept).
        var lead = 0
        while lead < intCount - 1 && text[lead] == UInt8(ascii: "0") { lead += 1 }
        let whole = String(decoding: text[lead..<intCount], as: UTF8.self)
        guard digits > 0 else { return whole }
        return whole + "." + String(decoding: text[intCount...], as: UTF8.self)
    }

    /// `String(format: "%0<width>d", n)`: zeros after the sign up to `width` characters in all.
    public static func padded(_ n: Int, width: Int) -> String {
        let digits = String(n.magnitude)
        let sign = n < 0 ? "-" : ""
        let zeros = max(0, width - sign.count - digits.count)
        return sign + String(repeating: "0", count: zeros) + digits
    }

    /// `String(format: "%0<width>x", n)`: lower-case hexadecimal, zeros before it up to `width` digits.
    public static func hex<T: BinaryInteger>(_ n: T, width: Int) -> String {
        let digits = String(n, radix: 16)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}

/// A non-negative integer of any size, in base 10^9 limbs (least significant first): a double's exact expansion.
struct BigDecimal {
    private var limbs: [UInt32]

    init(_ v: UInt64) {
        limbs = []
        var v = v
        repeat {
            limbs.append(UInt32(v % 1_000_000_000))
            v /= 1_000_000_000
        } while v > 0
    }

    mutating func multiply(by f: UInt32) {
        var carry: UInt64 = 0
        for i in limbs.indices {
            let x = UInt64(limbs[i]) * UInt64(f) + carry
            limbs[i] = UInt32(x % 1_000_000_000)
            carry = x / 1_000_000_000
        }
        while carry > 0 {
            limbs.append(UInt32(carry % 1_000_000_000))
            carry /= 1_000_000_000
        }
    }

    var decimalDigits: String {
        var out = String(limbs.last!)
        for limb in limbs.dropLast().reversed() {
            let s = String(limb)
            out += String(repeating: "0", count: 9 - s.count) + s
        }
        return out
    }
}
