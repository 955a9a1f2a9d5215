import FoundationEssentials
import TraceMindFormats

/// The catalog's OpenSearch sources: a store's leaderboard index, and the runs its rows do not name.
extension CatalogLoader.Builder {
        /// An `opensearch://` source: its leaderboard index, fetched whole (paged) into the cache and read like a
        /// leaderboard file; the indexes its rows name are fetched when a run opens.
        mutating func loadOpenSearch(
            _ src: String, client: (any RemoteDatasets)?, progress: (@Sendable (Double) -> Void)?, isCancelled: (@Sendable () -> Bool)?
        ) {
            let store: OpenSearchPath
            switch OpenSearchPath.parse(src) {
            case .success(let p): store = p
            case .failure(let e):
                diags.append(Diagnostic(.error, path: OpenSearchPath.redacted(src), e.description))
                return
            }
            // The client (credentials, TLS, cache) is the caller's: the model never reads the environment.
            guard let client else {
                diags.append(Diagnostic(.error, path: src, "no OpenSearch client was given to read opensearch:// sources"))
                return
            }
            let before = entries.count
            var failure: RemoteFetchError?
            do {
                let file = try client.fetch(store.leaderboardIndex, progress: progress, isCancelled: isCancelled, notes: &diags)
                remoteLeaderboards[file] = (src, client)
                loadFile(file)
            } catch {
                failure = error
            }
            // Runs whose leaderboard row was never written (SMOLTRACE writes it last; a failed write leaves the run's
            // indexes without one): read from their results indexes, with the traces and metrics of the same timestamp.
            var orphans = 0
            if failure == nil || failure?.missing == true {
                orphans = loadUnlistedRuns(src, store, client, named: Set(entries[before...].compactMap { $0.files.results }), isCancelled: isCancelled)
            }
            if let failure {
                diags.append(
                    Diagnostic(
                        failure.missing && orphans > 0 ? .note : .error, path: src,
                        failure.description + (failure.missing && orphans > 0 ? "; \(orphans) runs read from their results indexes" : "")))
            } else if entries.count == before {
                diags.append(Diagnostic(.note, path: src, "the leaderboard index \(store.leaderboardIndex) holds no runs"))
            }
        }

        /// The runs of a store's results indexes that no leaderboard row names; how many were read.
        mutating func loadUnlistedRuns(
            _ src: String, _ store: OpenSearchPath, _ client: any RemoteDatasets, named: Set<String>, isCancelled: (@Sendable () -> Bool)?
        ) -> Int {
            guard let listed = client.listDatasets(prefix: store.prefix + "-", notes: &diags) else { return 0 }
            let all = Set(listed)
            var read = 0
            for index in listed.sorted() where index.hasPrefix(store.prefix + "-results-") && !named.contains(client.reference(index)) {
                if isCancelled?() == true { break }
                let file: String
                do { file = try client.fetch(index, progress: nil, isCancelled: isCancelled, notes: &diags) } catch {
                    diags.append(Diagnostic(.warning, path: client.reference(index), error.description))
                    continue
                }
                let first = entries.count
                loadFile(file)
                let stamp = index.dropFirst((store.prefix + "-results-").count)
                for i in first..<entries.count {
                    entries[i].source = src
                    entries[i].files.remote = client
                    entries[i].files.results = client.reference(index)
                    for kind in ["traces", "metrics"] where all.contains("\(store.prefix)-\(kind)-\(stamp)") {
                        let ref = client.reference("\(store.prefix)-\(kind)-\(stamp)")
                        if kind == "traces" { entries[i].files.traces = ref } else { entries[i].files.metrics = ref }
                    }
                }
                read += entries.count - first
            }
            return read
        }
}
