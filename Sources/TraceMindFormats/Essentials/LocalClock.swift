import Glibc

/// Local time from the C library's zone rules (`TZ`, `/etc/localtime`): FoundationEssentials alone knows no zone but
/// GMT (its `TimeZone.current` is GMT whatever `TZ` says; zones come with FoundationInternationalization and ICU).
public enum LocalClock {
    /// Seconds east of UTC in force at an instant (seconds since 1970): what `TimeZone.current.secondsFromGMT(for:)`
    /// gave with Foundation proper.
    public static func utcOffset(atUnixSeconds t: Int64) -> Int {
        var at = time_t(clamping: t)
        var parts = tm()
        guard localtime_r(&at, &parts) != nil else { return 0 }
        return parts.tm_gmtoff
    }

    /// The local wall-clock time of day, `HH:mm:ss` (the browser's "watched at" stamp).
    public static func timeOfDay(_ now: time_t = time(nil)) -> String {
        var t = now
        var parts = tm()
        guard localtime_r(&t, &parts) != nil else { return "--:--:--" }
        return NumberText.padded(Int(parts.tm_hour), width: 2) + ":" + NumberText.padded(Int(parts.tm_min), width: 2) + ":"
            + NumberText.padded(Int(parts.tm_sec), width: 2)
    }
}
