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
    /// The form the caches keep a diagnostic in: `[severity, path, message]`.
    var packed: JSON { .array([.string(severity.rawValue), .string(path), .string(message)]) }

    init?(packed v: JSON) {
        guard let a = v.arrayValue, a.count == 3, let sev = a[0].text.flatMap(Severity.init(rawValue:)), let p = a[1].text, let m = a[2].text
        else { return nil }
        self.init(sev, path: p, m)
    }
}
