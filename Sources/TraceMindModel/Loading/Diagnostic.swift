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
}
