import FoundationEssentials
import TraceMindFormats

/// ISO-8601 with or without zone (local time assumed without), with fractional seconds.
public enum ISOTime {
    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func daysFromCivil(_ y0: Int, _ m: Int, _ d: Int) -> Int64 {
        let y = Int64(m <= 2 ? y0 - 1 : y0)
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = Int64((m + 9) % 12)
        let doy = (153 * mp + 2) / 5 + Int64(d) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The proleptic Gregorian date and time of day, in UTC, of seconds since 1970 (Howard Hinnant's algorithm).
    public static func civil(fromUnixSeconds t: Int64) -> (year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) {
        let days = t >= 0 ? t / 86_400 : (t - 86_399) / 86_400
        let secs = Int(t - days * 86_400)
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = Int(doy - (153 * mp + 2) / 5 + 1)
        let m = Int(mp < 10 ? mp + 3 : mp - 9)
        let y = Int(yoe + era * 400) + (m <= 2 ? 1 : 0)
        return (y, m, d, secs / 3600, secs / 60 % 60, secs % 60)
    }

    public static func parseNs(_ s: String) -> Int64? {
        let c = Array(s.utf8)
        guard c.count >= 19 else { return nil }
        func num(_ r: Range<Int>) -> Int? {
            var v = 0
            for k in r {
                guard k < c.count, c[k] >= 48, c[k] <= 57 else { return nil }
                v = v * 10 + Int(c[k] - 48)
            }
            return v
        }
        guard let y = num(0..<4), c[4] == 45, let mo = num(5..<7), c[7] == 45, let d = num(8..<10),
            c[10] == 84 || c[10] == 32, let h = num(11..<13), c[13] == 58, let mi = num(14..<16), c[16] == 58,
            let se = num(17..<19)
        else { return nil }
        var k = 19
        var fracNs: Int64 = 0
        if k < c.count, c[k] == 46 {
            k += 1
            var scale: Int64 = 100_000_000
            while k < c.count, c[k] >= 48, c[k] <= 57 {
                fracNs += Int64(c[k] - 48) * scale
                scale /= 10
                k += 1
            }
        }
        var offsetSeconds: Int? = nil
        if k < c.count {
            if c[k] == 90 { offsetSeconds = 0 } else if c[k] == 43 || c[k] == 45, let oh = num((k + 1)..<(k + 3)) {
                let om = (k + 5 < c.count + 1) ? (num((k + 4)..<(k + 6)) ?? num((k + 3)..<(k + 5)) ?? 0) : 0
                offsetSeconds = (c[k] == 45 ? -1 : 1) * (oh * 3600 + om * 60)
            }
        }
        guard (1...12).contains(mo), (1...31).contains(d), h < 24, mi < 60, se < 61 else { return nil }
        let naive = ISOTime.daysFromCivil(y, mo, d) * 86_400 + Int64(h * 3600 + mi * 60 + se)
        // Without a zone the time is local (SMOLTRACE writes datetime.now()): the offset in force at that time, by
        // the C library's zone rules (`TZ`, `/etc/localtime`; FoundationEssentials' own zone is always GMT).
        let offset = offsetSeconds.map(Int64.init) ?? Int64(LocalClock.utcOffset(atUnixSeconds: naive))
        // Int64 nanoseconds reach from 1677 to 2262: a time outside is not a time (and would overflow).
        let (ns, overflow) = (naive - offset).multipliedReportingOverflow(by: 1_000_000_000)
        guard !overflow, ns <= Int64.max - fracNs else { return nil }
        return ns + fracNs
    }
}
