import FoundationEssentials

// `NSString`'s path methods as Foundation (swift-corelibs-foundation) defines them on Linux: a path's slashes
// collapsed and a trailing one dropped before it is taken apart; characters compared, not bytes.
extension PathUtil {
    /// `(p as NSString).lastPathComponent`: `/a/b/` → `b`, `/` → `/`.
    public static func lastComponent(_ p: String) -> String {
        let f = fixingSlashes(p)
        guard f.count > 1 else { return f }
        return String(f[startOfLastComponent(f)...])
    }

    /// `(p as NSString).deletingLastPathComponent`: `/a/b` → `/a`, `/a` → `/`, `a` → ``.
    public static func deletingLastComponent(_ p: String) -> String {
        let f = fixingSlashes(p)
        if f == "/" || f.isEmpty { return f }
        let start = startOfLastComponent(f)
        if start == f.startIndex { return "" }
        if start == f.index(after: f.startIndex) { return "/" }
        return String(f[..<f.index(before: start)])
    }

    /// `(p as NSString).appendingPathComponent(c)`: a slash between them unless one is there or either is empty.
    public static func appendingComponent(_ p: String, _ c: String) -> String {
        if c.isEmpty { return p }
        if p.isEmpty { return c }
        return p.hasSuffix("/") ? p + c : p + "/" + c
    }

    /// `(p as NSString).pathExtension`: `a/b.json` → `json`; `.profile`, `a.` and `..` have none.
    public static func pathExtension(_ p: String) -> String {
        let f = fixingSlashes(p)
        guard f.count > 1, let start = startOfExtension(f) else { return "" }
        return String(f[start...])
    }

    /// `(p as NSString).deletingPathExtension`.
    public static func deletingPathExtension(_ p: String) -> String {
        let f = fixingSlashes(p)
        guard f.count > 1, let start = startOfExtension(f) else { return f }
        return String(f[..<f.index(before: start)])
    }

    /// Runs of slashes made one, and a trailing slash dropped (`/` stays).
    static func fixingSlashes(_ p: String) -> String {
        if p == "/" { return p }
        var out = ""
        var lastWasSlash = false
        for c in p {
            if c == "/" {
                if lastWasSlash { continue }
                lastWasSlash = true
            } else {
                lastWasSlash = false
            }
            out.append(c)
        }
        if out.hasSuffix("/") { out.removeLast() }
        return out
    }

    private static func startOfLastComponent(_ f: String) -> String.Index {
        var at = f.endIndex
        while at > f.startIndex {
            let before = f.index(before: at)
            if f[before] == "/" { break }
            at = before
        }
        return at
    }

    private static func startOfExtension(_ f: String) -> String.Index? {
        let componentStart = startOfLastComponent(f)
        var at = f.endIndex
        while at > componentStart {
            let before = f.index(before: at)
            let c = f[before]
            if c == "/" { return nil }
            if c == "." {
                if before == componentStart { return nil }
                let before2 = f.index(before: before)
                if before == f.index(before: f.endIndex) && before2 == componentStart && f[before2] == "." { return nil }
                return at
            }
            at = before
        }
        return nil
    }
}
