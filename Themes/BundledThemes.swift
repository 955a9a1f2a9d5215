// The theme files in this folder, compiled into the binary (SwiftPM's embedInCode rule), so `tracemind` finds its
// themes wherever it is installed. The .toml files are the only copy.

public enum BundledThemes {
    /// Built-in theme names, in the order `tracemind themes` lists them.
    public static let names = ["default", "light", "high-contrast", "mono", "tracemind"]

    /// Theme name → TOML text.
    public static let files: [String: String] = [
        "default": String(decoding: PackageResources.default_toml, as: UTF8.self),
        "light": String(decoding: PackageResources.light_toml, as: UTF8.self),
        "high-contrast": String(decoding: PackageResources.high_contrast_toml, as: UTF8.self),
        "mono": String(decoding: PackageResources.mono_toml, as: UTF8.self),
        "tracemind": String(decoding: PackageResources.tracemind_toml, as: UTF8.self),
    ]
}
