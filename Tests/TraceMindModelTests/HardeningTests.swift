import Foundation
import TestSupport
import Testing
import TraceMindDemo
import TraceMindFixtures
@testable import TraceMindFormats
@testable import TraceMindHTTP
@testable import TraceMindHub
@testable import TraceMindModel
import TraceMindReport

/// Files that change under the reader, hostile servers, and the inert-text rule of every output.
@Suite struct FileChangeTests {
    /// The local file system with a writer that appends 4 KB to `path` during every try of a read.
    static func growingDuringEveryRead(_ path: String) -> LocalFileSystem {
        LocalFileSystem { _ in
            let h = FileHandle(forWritingAtPath: path)!
            h.seekToEndOfFile()
            h.write(Data(repeating: 0x79, count: 4096))
            try? h.close()
        }
    }

    /// A writer that appends during every try: the file is used as read, with one warning naming it. A writer that
    /// truncates during the first try only: the second try reads the new state, without a warning.
    @Test func aFileThatChangesWhileReadIsReportedOrReadAgain() throws {
        let dir = tempDir()
        defer { removeTemp(dir) }
        let path = dir + "/traces.json"
        write(String(repeating: "x", count: 1 << 20), to: path)
        let growing = FileChangeTests.growingDuringEveryRead(path)
        let got = try growing.readFile(path)
        #expect(got.changedWhileReading, "a file that changed during every try is reported")
        #expect(got.data.count >= 1 << 20)
        var diags: [Diagnostic] = []
        _ = DatasetFiles.readBytes(growing, path, into: &diags)
        #expect(diags.count == 1 && diags[0].path == path && diags[0].message.contains("changed while reading"), "\(diags)")

        write(String(repeating: "x", count: 1 << 20), to: path)
        let truncatedOnce = LocalFileSystem { attempt in if attempt == 1 { _ = truncate(path, 100) } }
        let second = try truncatedOnce.readFile(path)
        #expect(!second.changedWhileReading && second.data.count == 100, "read again, stable: \(second.data.count)")
        // A stable file is read whole, in one try.
        let plain = try LocalFileSystem().readFile(path)
        #expect(!plain.changedWhileReading && plain.data.count == 100)
    }

    /// A file of 8 MB or more is read in parts on all cores: read whole and in order; one cut short during the first
    /// try is read again in its new state; one that grows during every try is reported.
    @Test func aLargeFileReadInPartsIsWholeOrReported() throws {
        let dir = tempDir()
        defer { removeTemp(dir) }
        let path = dir + "/traces.json"
        var g = SystemRandomNumberGenerator()
        let bytes = Data((0..<(9 << 20) + 4321).map { _ in UInt8.random(in: 0...255, using: &g) })
        try bytes.write(to: URL(fileURLWithPath: path))
        let plain = try LocalFileSystem().readFile(path)
        #expect(!plain.changedWhileReading && plain.data == bytes, "read whole and in order")
        let cutOnce = LocalFileSystem { attempt in if attempt == 1 { _ = truncate(path, 5 << 20) } }
        let second = try cutOnce.readFile(path)
        #expect(!second.changedWhileReading && second.data == bytes.prefix(5 << 20), "read again, stable: \(second.data.count)")
        try bytes.write(to: URL(fileURLWithPath: path))
        let growing = FileChangeTests.growingDuringEveryRead(path)
        let third = try growing.readFile(path)
        #expect(third.changedWhileReading && third.data.prefix(bytes.count) == bytes)
    }

    @Test func aRangeThatIsNoLongerThereIsAnErrorNotACrash() throws {
        let dir = tempDir()
        defer { removeTemp(dir) }
        let path = dir + "/f.json"
        write(String(repeating: "a", count: 10_000), to: path)
        let fs = LocalFileSystem()
        #expect(try fs.readRange(path, 100..<200).count == 100)
        #expect(truncate(path, 150) == 0)
        #expect(throws: FileReadError.self) { try fs.readRange(path, 100..<200) }
        do {
            _ = try fs.readRange(path, 100..<200)
        } catch {
            #expect("\(error)".contains("changed while reading"))
        }
        // A stable file is read whole and unchanged.
        let all = try fs.readFile(path)
        #expect(!all.changedWhileReading && all.data.count == 150)
    }

    @Test func specialFilesAreNotRead() throws {
        let dir = tempDir()
        defer { removeTemp(dir) }
        #expect(mkfifo(dir + "/pipe.json", 0o600) == 0)
        #expect(throws: FileReadError.self) { try LocalFileSystem().readFile(dir + "/pipe.json") }
        do { _ = try LocalFileSystem().readFile(dir + "/pipe.json") } catch { #expect("\(error)" == "not a regular file (a FIFO)") }
        do { _ = try LocalFileSystem().readFile(dir) } catch { #expect("\(error)" == "is a directory, not a file") }
        do { _ = try LocalFileSystem().readFile(dir + "/none") } catch { #expect("\(error)" == "no such file") }
    }

    @Test func parquetIsReadByRangeFromItsFooter() throws {
        let dir = tempDir()
        defer { removeTemp(dir) }
        // A file whose footer is fine but whose first column chunk is gone: opening reads the footer only.
        let files = HubLayout.convert(DemoGenerator().files())
        let (name, data) = try #require(files.first { $0.key.contains("smoltrace-traces-") && $0.key.hasSuffix(".parquet") })
        let path = dir + "/" + (name as NSString).lastPathComponent
        write(data, to: path)
        final class Counting: ParquetBytes, @unchecked Sendable {
            let inner: FileParquetBytes
            var read = 0
            init(_ i: FileParquetBytes) { inner = i }
            var count: Int { inner.count }
            func bytes(_ range: Range<Int>) throws(ParquetError) -> [UInt8] {
                read += range.count
                return try inner.bytes(range)
            }
        }
        let src = Counting(try FileParquetBytes(fs: LocalFileSystem(), path: path))
        let pq = try ParquetFile(source: src, name: "t.parquet")
        let tail = [UInt8](data.suffix(8))
        let metaLen = Int(tail[0]) | Int(tail[1]) << 8 | Int(tail[2]) << 16 | Int(tail[3]) << 24
        #expect(src.read == 4 + 8 + metaLen, "only the magic and the footer were read: \(src.read) of \(data.count)")
        #expect(try pq.rows(rowGroup: 0).count == pq.rowGroups[0].numRows)
        #expect(try ParquetFile(data: data, name: "t").rows(rowGroup: 0).count == pq.rowGroups[0].numRows)
    }
}

@Suite struct InertOutputTests {
    static let hostile = "a\u{1b}]0;PWNED\u{07}\u{1b}[2J\u{0}\u{8}\r\u{9b}31m\u{7f}\u{202e}\u{2066}\u{200f}\u{061c}\u{2028}z"

    @Test func terminalTextKeepsLinesAndMakesEverythingElseInert() {
        let s = Inert.terminal("line 1\n\tline 2 " + Self.hostile + " é 漢字 👍🏽")
        #expect(s == "line 1\n\tline 2 a␛]0;PWNED␇␛[2J␀␈␍�31m␡�����z é 漢字 👍🏽")
        #expect(Inert.terminal("plain ascii\n") == "plain ascii\n")
    }

    /// The byte-level rule agrees with the scalar-level one (`picture`) on every scalar of U+0000–U+3000 and some
    /// beyond, alone and between neighbours, and leaves the box-drawing of reports untouched.
    @Test func theByteLevelRuleIsThePictureRule() {
        func reference(_ s: String) -> String {
            var out = String.UnicodeScalarView()
            for u in s.unicodeScalars { out.append(u == "\n" || u == "\t" ? u : (Inert.picture(u) ?? u)) }
            return String(out)
        }
        var scalars = (0..<0x3000).compactMap { Unicode.Scalar($0) }
        scalars += ["\u{FFFD}", "\u{FEFF}", "\u{1F44D}", "\u{10FFFF}"]
        for u in scalars {
            let s = "a" + String(Character(u)) + "\u{2500}b"
            #expect(Inert.terminal(s) == reference(s), "U+\(String(u.value, radix: 16))")
        }
        let all = String(String.UnicodeScalarView(scalars))
        #expect(Inert.terminal(all) == reference(all))
        #expect(Inert.terminal("├─ span · ≥ $0.01 … │") == "├─ span · ≥ $0.01 … │")
    }

    @Test func jsonEscapesEveryControlAndStaysValid() throws {
        let text = JSONWriter.string(.string(Self.hostile), pretty: false)
        #expect(text == #""a\u001b]0;PWNED\u0007\u001b[2J\u0000\b\r\u009b31m\u007f\u202e\u2066\u200f\u061c\u2028z""#.replacingOccurrences(of: #"\b"#, with: #"\u0008"#))
        #expect(try JSONParser.parse(Data(text.utf8)) == .string(Self.hostile), "round trip")
        #expect(Inert.terminal(text) == text, "nothing left for the terminal rule to change")
        // Ordinary non-ASCII text is kept as UTF-8.
        #expect(JSONWriter.string(.string("é — 漢字 ’"), pretty: false) == "\"é — 漢字 ’\"")
    }

    @Test func csvCellsAreNeverFormulas() {
        let rows: [JSON] = [
            .obj([("task_id", "=cmd|' /C calc'!A0"), ("n", .int(-2)), ("x", .double(-0.5))]),
            .obj([("task_id", "+1+cmd"), ("n", .int(3)), ("x", "-2+3")]),
            .obj([("task_id", "@SUM(A1)"), ("n", .int(4)), ("x", "\tTAB")]),
            .obj([("task_id", "  =spaced"), ("n", .int(5)), ("x", "\u{FF1D}1+1")]),
            .obj([("task_id", "ok, fine"), ("n", .int(6)), ("x", .string(Self.hostile))]),
        ]
        let csv = CSV.from(rows)
        let lines = csv.split(separator: "\n").map(String.init)
        #expect(lines[1] == #""'=cmd|' /C calc'!A0",-2,-0.5"#)
        #expect(lines[2] == #""'+1+cmd",3,"'-2+3""#)
        #expect(lines[3] == #""'@SUM(A1)",4,"' TAB""#)
        #expect(lines[4] == #""'  =spaced",5,"'＝1+1""#)
        #expect(lines[5].hasPrefix(#""ok, fine",6,a␛]0;PWNED␇"#), "\(lines[5])")
        #expect(HardeningEndToEndHelpers.rawControls(csv).isEmpty)
    }
}

enum HardeningEndToEndHelpers {
    static func rawControls(_ s: String) -> [UInt32] {
        s.unicodeScalars.map(\.value).filter { v in
            (v < 0x20 && v != 0x0A && v != 0x09) || (0x7F...0x9F).contains(v) || (0x2028...0x202E).contains(v) || (0x2066...0x2069).contains(v)
        }
    }
}

/// Servers that do not play by the rules: bounded sizes, a speed floor, and no partial file left behind.
@Suite(.serialized) struct HostileHubTests {
    /// The Hub fixture, its server demanding the fixture's token.
    typealias Fixture = HubTests.Fixture

    static let board = "hf://demo-user/smoltrace-leaderboard"

    @Test func anEndlessBodyStopsAtTheListedSize() throws {
        let f = try Fixture()
        f.server.downloadMode = .endless
        let c = CatalogLoader.load(sources: [Self.board], hub: f.client())
        #expect(c.runs.isEmpty)
        #expect(c.diagnostics.count == 1, "\(c.diagnostics)")
        #expect(c.diagnostics.first?.message.contains("download refused: the server sent more than the") == true, "\(c.diagnostics)")
        #expect(c.diagnostics.first?.path.contains("smoltrace-leaderboard") == true || c.diagnostics.first?.message.contains("smoltrace-leaderboard") == true)
        #expect(f.partials().isEmpty, "\(f.partials())")
    }

    @Test func aContentLengthAboveTheListedSizeIsRefusedAtOnce() throws {
        let f = try Fixture()
        f.server.downloadMode = .oversized
        let c = CatalogLoader.load(sources: [Self.board], hub: f.client())
        #expect(c.diagnostics.first?.message.contains("announced") == true, "\(c.diagnostics)")
        #expect(f.partials().isEmpty)
    }

    @Test func aTrickleIsGivenUp() throws {
        let f = try Fixture()
        f.server.downloadMode = .trickle(seconds: 0.5)
        let start = Date()
        let c = CatalogLoader.load(sources: [Self.board], hub: f.client(timeout: 2))
        #expect(Date().timeIntervalSince(start) < 20, "a body of 200 bytes a second is given up")
        #expect(c.runs.isEmpty && c.diagnostics.count == 1, "\(c.diagnostics)")
        #expect(f.partials().isEmpty)
    }

    @Test func partialFilesOfDeadProcessesAreRemovedOnTheNextRun() throws {
        let f = try Fixture()
        let repo = f.cache + "/datasets/demo-user/smoltrace-leaderboard/data"
        // pid_max is at most 2^22: this process cannot exist.
        let dead = repo + "/.train-00000-of-00001.parquet.99999999.12345.part"
        let live = repo + "/.train-00000-of-00001.parquet.\(getpid()).1.part"
        let other = repo + "/.keep.parquet.1.2.part"  // pid 1 is alive
        for p in [dead, live, other] { write("partial", to: p) }
        CacheFiles.removeStalePartials(in: f.cache + "/datasets/demo-user/smoltrace-leaderboard")
        #expect(!FileManager.default.fileExists(atPath: dead))
        #expect(FileManager.default.fileExists(atPath: live) && FileManager.default.fileExists(atPath: other))
    }
}

/// A figure built from part of the data is a lower bound, in the model and in every report format.
@Suite struct LowerBoundTests {
    @Test func aTruncatedTracesFileMakesTokensAndCostLowerBounds() throws {
        var files = DemoGenerator().files()
        let key = try #require(files.keys.first { $0.contains("openai_gpt-4o_tool") && $0.hasSuffix("traces.json") })
        let whole = files[key]!
        files[key] = whole.prefix(whole.count / 2)
        let c = CatalogLoader.load(sources: [DemoData.rootName], fs: MemoryFileSystem(files: files))
        let e = try c.run(matching: "7f3c")
        let a = RunAnalysis(entry: e, data: RunLoader.load(e))
        #expect(a.tokensAreLowerBound && a.costIsLowerBound)
        #expect(a.diagnostics.contains { $0.message.contains("lower bounds (≥)") && $0.path.hasSuffix("traces.json") }, "\(a.diagnostics)")
        #expect(a.lowerBoundReasons.contains { $0.contains("records loaded") }, "\(a.lowerBoundReasons)")
        #expect(RunTotals(a).partial)
        let table = Reports.run(a, format: .table)
        #expect(table.contains("tokens ≥") && table.contains("cost ≥$") && table.contains("≥ lower bounds:"), "\(table)")
        let json = try JSONParser.parse(Data(Reports.run(a, format: .json).utf8))
        #expect(json["totals"]?["tokens_is_lower_bound"] == .bool(true) && json["totals"]?["cost_is_lower_bound"] == .bool(true))
        let board = Reports.leaderboard([e], format: .table, corrected: [e.key: RunTotals(a)])
        #expect(board.contains("≥"), "\(board)")
        let boardJSON = try JSONParser.parse(Data(Reports.leaderboard([e], format: .json, corrected: [e.key: RunTotals(a)]).utf8))
        #expect(boardJSON.arrayValue?.first?["tokens_is_lower_bound"] == .bool(true))
        // The whole file: exact.
        let full = CatalogLoader.load(sources: [DemoData.rootName], fs: DemoData.fileSystem())
        let fe = try full.run(matching: "7f3c")
        let fa = RunAnalysis(entry: fe, data: RunLoader.load(fe))
        #expect(!fa.tokensAreLowerBound && !fa.costIsLowerBound && fa.lowerBoundReasons.isEmpty)
        #expect(!Reports.run(fa, format: .table).contains("≥"))
    }
}

/// `tracemind leaderboard -f json` writes each record's text member by member: it is the writer's text of the same
/// records built as values (what CSV flattens), with every figure mode and with figures missing for some runs.
@Suite struct LeaderboardTextTests {
    @Test func theStreamedLeaderboardIsTheTextOfItsValues() throws {
        var runs = DemoData.catalog().runs
        var files = RunFiles(fs: MemoryFileSystem(files: [:]))
        files.folder = "runs/\u{1B}[2J"
        runs.append(RunEntry(
            key: "hostile\u{202E}\u{7}", row: .synthesized(model: "m\u{1B}]0;title\u{7}\"\\", agentType: "tool\u{0}", timestamp: nil, totalTests: nil),
            source: "src\u{85}", origin: .runFolder, files: files, alsoAt: ["a\u{2028}", "b"]))
        var all: [String: RunTotals] = [:]
        for e in DemoData.catalog().runs { all[e.key] = RunTotals(RunAnalysis(entry: e, data: RunLoader.load(e))) }
        let halfKeys = Set(all.keys.sorted().enumerated().filter { $0.offset % 2 == 0 }.map(\.element))
        let some = all.filter { halfKeys.contains($0.key) }
        #expect(!some.isEmpty && some.count < all.count)
        for corrected in [nil, all, some] {
            let mode: FigureMode = corrected == nil ? .recorded : .countedOnce
            let ranks = LeaderboardFigures.ranks(runs, corrected ?? [:], mode: mode)
            var streamed: [UInt8] = []
            Reports.streamLeaderboardJSON(runs, corrected: corrected, ranks: ranks) { streamed.append(contentsOf: $0) }
            let values = JSONWriter.string(Reports.leaderboardJSON(runs, corrected: corrected, ranks: ranks)) + "\n"
            #expect(String(decoding: streamed, as: UTF8.self) == values, "\(corrected?.count ?? -1) runs counted once")
            let parsed = try JSONParser.parse(Data(streamed))
            #expect(parsed.arrayValue?.count == runs.count)
            #expect(parsed.arrayValue?.last?["model"]?.text == "m\u{1B}]0;title\u{7}\"\\")
            if corrected != nil { #expect(parsed.arrayValue?.contains { $0["tokens"]?["total"]?.int != nil } == true) }
        }
    }

    /// The report read by place (`LeaderboardRows`: what `tracemind leaderboard` writes) is the report of the tables
    /// keyed by run (what the screen and the other reports use), in every format, sort, filter and figure mode.
    @Test func rowsByPlaceAreTheReportOfTablesByRun() throws {
        let runs = DemoData.catalog().runs  // keys unique, as every catalog's (`uniqueKeys`)
        var all: [String: RunTotals] = [:]
        for e in DemoData.catalog().runs { all[e.key] = RunTotals(RunAnalysis(entry: e, data: RunLoader.load(e))) }
        let some = all.filter { $0.key < all.keys.sorted()[all.count / 2] }
        #expect(!some.isEmpty && some.count < all.count)
        for corrected in [nil, all, some] {
            for (key, text) in [(LeaderboardSortKey.successRate, ""), (.cost, ""), (.model, ""), (.successRate, "gpt")] {
                var q = LeaderboardQuery()
                q.sortKey = key
                q.descending = key.isText ? false : key.higherIsBetter
                q.text = text
                q.mode = corrected == nil ? .recorded : .countedOnce
                let ranks = LeaderboardFigures.ranks(runs, corrected ?? [:], mode: q.mode)
                let rows = LeaderboardRows(runs, query: q, totals: corrected.map { c in runs.map { c[$0.key] } })
                #expect(rows.count == q.apply(runs, corrected: corrected ?? [:]).count && rows.count > 0)
                for format in [OutputFormat.json, .table, .csv, .markdown] {
                    let byRun = Reports.leaderboard(q.apply(runs, corrected: corrected ?? [:]), format: format, corrected: corrected, ranks: ranks)
                    #expect(Reports.leaderboard(rows, format: format) == byRun, "\(format) \(key) '\(text)' \(corrected?.count ?? -1)")
                }
            }
        }
    }
}
