import TraceMindFormats

public enum RunOrigin: String, Sendable {
    case runFolder = "folder"
    case leaderboardFile = "leaderboard file"
    case resultsFile = "results file"
    case tracesFile = "traces file"
}

/// Where a run's datasets are. Any of them may be missing (a failed run leaves only its leaderboard row).
public struct RunFiles: Sendable {
    public var fs: any DataFileSystem
    public var folder: String?
    public var results: String?
    public var traces: String?
    public var metrics: String?
    /// Fetches the remote datasets (`hf://…`, `opensearch://…`) when the run opens.
    public var remote: (any RemoteDatasets)?
    /// For files that hold several runs: only records of this run id (nil: all).
    public var runIDFilter: String?
    /// Records with no run id belong to this entry too (single-run files).
    public var acceptsMissingRunID: Bool = true
}

/// One run in the catalog: its leaderboard row (recorded figures) and where its datasets live.
///
/// A value with its fields in one shared box, copied on write: sorting, filtering and ranking 10,000 runs copy
/// entries many times, and a copy is then one reference count instead of one for each of the row's strings. Fields
/// are read in place (borrowed) and changed in place when the box is not shared.
public struct RunEntry: Sendable, Identifiable {
    /// The box's fields are changed only through `unique()`, on a box no other entry holds, and never while being
    /// read: the run-time exclusivity check of each read of a class's `var` is left out (as in `LeaderboardRow`).
    final class Box: @unchecked Sendable {
        @exclusivity(unchecked) var key: String
        @exclusivity(unchecked) var row: LeaderboardRow
        @exclusivity(unchecked) var source: String
        @exclusivity(unchecked) var origin: RunOrigin
        @exclusivity(unchecked) var files: RunFiles
        @exclusivity(unchecked) var alsoAt: [String]
        init(
            key: consuming String, row: consuming LeaderboardRow, source: consuming String, origin: RunOrigin, files: consuming RunFiles,
            alsoAt: consuming [String]
        ) {
            self.key = key
            self.row = row
            self.source = source
            self.origin = origin
            self.files = files
            self.alsoAt = alsoAt
        }
        func copy() -> Box { Box(key: key, row: row, source: source, origin: origin, files: files, alsoAt: alsoAt) }
    }
    private var box: Box

    public init(
        key: consuming String, row: consuming LeaderboardRow, source: consuming String, origin: RunOrigin, files: consuming RunFiles,
        alsoAt: consuming [String] = []
    ) {
        box = Box(key: key, row: row, source: source, origin: origin, files: files, alsoAt: alsoAt)
    }

    private mutating func unique() -> Box {
        if !isKnownUniquelyReferenced(&box) { box = box.copy() }
        return box
    }

    /// Unique key within the catalog: the run id, else the folder name (runs before 2025-10-24 have no id).
    public var key: String {
        _read { yield box.key }
        _modify {
            let b = unique()
            yield &b.key
        }
    }
    public var row: LeaderboardRow {
        _read { yield box.row }
        _modify {
            let b = unique()
            yield &b.row
        }
    }
    /// The folder or file it came from, for display.
    public var source: String {
        _read { yield box.source }
        _modify {
            let b = unique()
            yield &b.source
        }
    }
    public var origin: RunOrigin {
        _read { yield box.origin }
        _modify {
            let b = unique()
            yield &b.origin
        }
    }
    public var files: RunFiles {
        _read { yield box.files }
        _modify {
            let b = unique()
            yield &b.files
        }
    }
    /// Other places the same run was found (its JSON folder and its Hub Parquet form, or two copies): it is listed
    /// once, read from `source`.
    public var alsoAt: [String] {
        _read { yield box.alsoAt }
        _modify {
            let b = unique()
            yield &b.alsoAt
        }
    }
    public var id: String { key }

    // `files`' fields read in place: `files` read whole is a copy (its six references counted), and a leaderboard of
    // 10,000 runs reads their paths tens of thousands of times.
    var resultsPath: String? { box.files.results }
    var tracesPath: String? { box.files.traces }
    var metricsPath: String? { box.files.metrics }
    var folderPath: String? { box.files.folder }
    var runIDFilter: String? { box.files.runIDFilter }
    var acceptsMissingRunID: Bool { box.files.acceptsMissingRunID }
    var readsLocalFiles: Bool { box.files.fs is LocalFileSystem }
    var hasRemote: Bool { box.files.remote != nil }
}
