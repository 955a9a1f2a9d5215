import FoundationEssentials
import TraceMindFormats
import TraceMindModel

/// The embedded demo data: the generator's fixed runs, held in memory and read through the same loader as
/// real folders. Nothing is written anywhere.
public enum DemoData {
    public static let rootName = "smoltrace_results"

    public static func fileSystem(options: DemoOptions = DemoOptions()) -> MemoryFileSystem {
        MemoryFileSystem(files: DemoGenerator(options: options).files())
    }

    public static func catalog(options: DemoOptions = DemoOptions()) -> Catalog {
        var c = CatalogLoader.load(sources: [rootName], fs: fileSystem(options: options), isDemo: true)
        c.sources = ["(embedded demo data)"]
        return c
    }
}
