/// A place dataset repositories are fetched from into local folders (the Hugging Face Hub). The executable makes
/// one (with its token, endpoint and cache) and hands it to the catalog; the model never reads the environment or
/// the network itself, and loads what was fetched like any local folder.
public protocol RemoteDatasets: Sendable {
    /// The folder fetched copies live under: a leaderboard read from there names its runs' datasets as remote ones.
    var cacheRoot: String { get }
    /// Brings the repository's data files into the cache and returns its local folder. `progress` gets the fraction
    /// done; notes (a cached copy used offline) go to `notes`.
    func fetch(_ repo: String, progress: (@Sendable (Double) -> Void)?, notes: inout [Diagnostic]) throws(RemoteFetchError) -> String
}

/// One problem fetching from a remote source, worded for the user.
public struct RemoteFetchError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(description: String) { self.description = description }
}
