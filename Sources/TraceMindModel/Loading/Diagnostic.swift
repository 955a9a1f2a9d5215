import TraceMindFormats
/// One problem with one input. The rest still loads.
public struct Diagnostic: Sendable, Equatable, Codable, CustomStringConvertible {
    public enum Severity: String, Sendable, Codable { case warning, error, note }
    public var severity: Severity
    public var path: String
    public var message: String

    public init(_ severity: Severity = .warning, path: String, _ message: String) {
        self.severity = severity
        self.path = path
        self.message = message
    }

    public var description: String { "\(severity.rawValue): \(path): \(message)" }
}

extension Diagnostic {
    /// The form the caches keep a diagnostic in (`PackWriter`): severity, path, message.
    func pack(into w: inout PackWriter) {
        w.text(severity.rawValue)
        w.text(path)
        w.text(message)
    }

    init?(unpacking r: inout PackReader) {
        guard let sev = r.text().flatMap(Severity.init(rawValue:)), let p = r.text(), let m = r.text() else { return nil }
        self.init(sev, path: p, m)
    }

    /// A list of them, its count first (the kept catalog's and each run's in the analysis pack).
    static func pack(_ list: [Diagnostic], into w: inout PackWriter) {
        w.uint(UInt64(list.count))
        for d in list { d.pack(into: &w) }
    }

    /// A list `pack(_:into:)` wrote; nil when the bytes are not one.
    static func unpackList(_ r: inout PackReader) -> [Diagnostic]? {
        guard let n = r.count() else { return nil }
        var out: [Diagnostic] = []
        for _ in 0..<n {
            guard let d = Diagnostic(unpacking: &r) else { return nil }
            out.append(d)
        }
        return out
    }
}
