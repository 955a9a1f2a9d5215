import FoundationEssentials
import TraceMindFormats

/// `hf://user/repo`: a Hugging Face Hub dataset repository.
public enum HubPath {
    public static let scheme = "hf://"

    /// `hf://user/repo[/…]` → `user/repo`; nil when it is not a Hub path or not a valid id.
    public static func repo(_ s: String) -> String? {
        guard s.hasPrefix(scheme) else { return nil }
        var rest = String(s.dropFirst(scheme.count))
        if rest.hasPrefix("datasets/") { rest = String(rest.dropFirst(9)) }
        let parts = rest.split(separator: "/", omittingEmptySubsequences: true).prefix(2).map(String.init)
        let ok = parts.count == 2 && parts.allSatisfy { p in
            p != "." && p != ".." && p.unicodeScalars.allSatisfy { $0.isAlphanumeric || "-_.".unicodeScalars.contains($0) }
        }
        return ok ? parts.joined(separator: "/") : nil
    }
}
