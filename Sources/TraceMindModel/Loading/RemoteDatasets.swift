/// A place datasets are fetched from into local files (the Hugging Face Hub, an OpenSearch cluster). The executable
/// makes one (with its credentials, endpoint and cache) and hands it to the catalog; the model never reads the
/// environment or the network itself, and loads what was fetched like any local file or folder.
public protocol RemoteDatasets: Sendable {
    /// The folder fetched copies live under: a leaderboard read from there names its runs' datasets as remote ones.
    var cacheRoot: String { get }
    /// The dataset a reference names, when the reference is this source's (`hf://user/repo` → `user/repo`).
    func datasetID(_ reference: String) -> String?
    /// The reference of one of this source's datasets, as runs and messages name it (`user/repo` → `hf://user/repo`).
    func reference(_ datasetID: String) -> String
    /// Brings the dataset into the cache and returns its local file or folder. `progress` gets the fraction done;
    /// `isCancelled` is asked between requests (a cancelled fetch throws and leaves no partial file); notes (a cached
    /// copy used offline) go to `notes`.
    func fetch(
        _ datasetID: String, progress: (@Sendable (Double) -> Void)?, isCancelled: (@Sendable () -> Bool)?, notes: inout [Diagnostic]
    ) throws(RemoteFetchError) -> String
    /// One trace document of a traces dataset by id, fetched alone into a local file of its own (a trace looked up
    /// by id is not a scan of the run's traces); nil when none of `ids` (spellings of one id) is there, or when this
    /// source cannot fetch single documents.
    func fetchTrace(_ ids: [String], of datasetID: String, notes: inout [Diagnostic]) throws(RemoteFetchError) -> String?
    /// The ids of this source's datasets that start with `prefix` (a store's indexes), or nil when it cannot list them
    /// (why goes to `notes`).
    func listDatasets(prefix: String, notes: inout [Diagnostic]) -> [String]?
}

extension RemoteDatasets {
    public func datasetID(_ reference: String) -> String? { HubPath.repo(reference) }
    public func reference(_ datasetID: String) -> String { HubPath.scheme + datasetID }
    public func fetchTrace(_ ids: [String], of datasetID: String, notes: inout [Diagnostic]) throws(RemoteFetchError) -> String? { nil }
    public func listDatasets(prefix: String, notes: inout [Diagnostic]) -> [String]? { nil }
}

/// References to remote datasets, whichever source they belong to.
public enum RemoteReference {
    /// `hf://…`, `opensearch://…`, `opensearchs://…`. An absolute path (every dataset of a local run folder) is
    /// answered from its first byte: a leaderboard of 10,000 runs asks this of 30,000 paths.
    public static func isRemote(_ s: String) -> Bool {
        if s.utf8.first == UInt8(ascii: "/") { return false }
        return s.hasPrefix(HubPath.scheme) || OpenSearchPath.isOpenSearch(s)
    }
}

/// One problem fetching from a remote source, worded for the user.
public struct RemoteFetchError: Error, CustomStringConvertible, Sendable {
    public var description: String
    /// The source answered that the dataset does not exist (a missing index or repository).
    public var missing = false
    public init(description: String, missing: Bool = false) {
        self.description = description
        self.missing = missing
    }
}
