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
