import Foundation
import TerminalUI
import TestSupport
import Testing
@testable import TraceMindApp
import TraceMindDemo
import TraceMindFormats
import TraceMindModel

/// Live watch in the app: new runs appear, changed runs lose their figures and are read again where shown, the
/// others keep theirs, runs gone leave the screens; `W` starts and stops it; the footer says it watches.
@Suite struct LiveWatchTests {
    @Test func newChangedAndGoneRuns() throws {
        var h = Harness(TrendsScreenTests.catalog, width: 120, height: 30)
        let runs = h.s.catalog.runs
        #expect(h.s.totals.count == runs.count, "every run analysed")
        let before = h.s.totals
        let changedKey = runs[0].key, goneKey = runs[1].key
        h.openRun(String(changedKey.prefix(12)))
        #expect(h.s.analysis(changedKey) != nil)
        _ = App.update(&h.s, .key(.escape))
        // Open the changed run again (its view stays on the stack across the change).
        h.openRun(String(changedKey.prefix(12)))
        var added = runs[2]
        added.key = "hist-new-run"
        added.row.raw.set("run_id", .string("hist-new-run"))
        let newCatalog = Catalog(runs: [runs[0]] + Array(runs[2...]) + [added], diagnostics: [], sources: h.s.catalog.sources, isDemo: false)
        h.s.watch = WatchStatus(mode: "inotify", folders: 3)
        let effects = App.watched(&h.s, newCatalog, changed: [changedKey, "hist-new-run"], at: "12:00:00")
        #expect(h.s.catalog.runs.count == runs.count)
        #expect(h.s.totals[changedKey] == nil && h.s.totals["hist-new-run"] == nil && h.s.totals[goneKey] == nil)
        for r in runs.dropFirst(2) { #expect(h.s.totals[r.key] == before[r.key], "\(r.key) keeps its figures") }
        #expect(effects == [.load(.run(changedKey))], "the changed run on screen is read again")
        guard case .run(let v) = h.s.route else { Issue.record("still on the run"); return }
        #expect(v.key == changedKey)
        #expect(h.s.message == "1 new run · 1 changed · 1 gone at 12:00:00 (live watch)")
        #expect(h.s.watch?.lastChange == "12:00:00")
        h.handle(effects)
        h.prefetchAll()
        #expect(h.s.totals.count == newCatalog.runs.count, "new and changed runs analysed again")
        // A run on screen that is gone: back to where it can be shown.
        let gone = Catalog(runs: Array(newCatalog.runs.dropFirst()), diagnostics: [], sources: h.s.catalog.sources, isDemo: false)
        _ = App.watched(&h.s, gone, changed: [], at: "12:00:05")
        #expect(h.s.route == .leaderboard)
        #expect(h.text.contains("◉ watching 3 folders (inotify), changed 12:00:05"), "\(h.text)")
    }

    @Test func wStartsAndStopsTheWatch() {
        var demo = Harness(width: 120, height: 30)
        demo.press(.char("W"))
        #expect(demo.watchEffects.isEmpty && demo.s.message?.contains("nothing to watch") == true)
        var h = Harness(TrendsScreenTests.catalog, width: 120, height: 30)
        h.press(.char("W"))
        #expect(h.watchEffects == [true])
        _ = App.apply(&h.s, .watching(WatchStatus(mode: "inotify", folders: 23)))
        #expect(h.s.message?.contains("watching the sources (inotify, 23 folders)") == true)
        #expect(h.text.contains("◉ watching 23 folders (inotify) · 21 of 21 runs"))
        h.press(.char("W"))
        #expect(h.watchEffects == [true, false])
        _ = App.apply(&h.s, .watching(nil))
        #expect(h.s.watch == nil && !h.text.contains("◉ watching"))
    }
}

/// The first read of many run folders says how far it got.
@Suite struct ReadingProgressTests {
    @Test func theFooterCountsTheRunFoldersRead() {
        var h = Harness(Catalog(runs: [], diagnostics: [], sources: ["runs"], isDemo: false), width: 120, height: 24, prefetch: false)
        h.s.readingSources = true
        #expect(h.text.contains("reading the sources…"))
        _ = App.apply(&h.s, .readingSources(read: 4000, of: 10_000))
        #expect(h.text.contains("reading the sources… 4,000 of 10,000 run folders"), "\(h.text)")
        _ = App.reloaded(&h.s, TrendsScreenTests.catalog)
        #expect(h.s.readingProgress == nil && h.text.contains("21 of 21 runs"))
        // A late count after the read is done changes nothing.
        _ = App.apply(&h.s, .readingSources(read: 10_000, of: 10_000))
        #expect(h.s.readingProgress == nil)
    }

    /// The first read's rows appear as they are read, sorted as they come, under the count; the whole catalog
    /// replaces them, and rows that come after it change nothing.
    @Test func rowsAppearAsTheyAreRead() {
        var h = Harness(Catalog(runs: [], diagnostics: [], sources: ["runs"], isDemo: false), width: 160, height: 40, prefetch: false)
        h.s.readingSources = true
        let all = TrendsScreenTests.catalog.runs
        _ = App.apply(&h.s, .readingSources(read: 10, of: 21))
        _ = App.apply(&h.s, .readingRuns(Array(all.suffix(10))))
        #expect(h.s.visibleRuns.count == 10 && h.text.contains("reading the sources… 10 of 21 run folders"), "\(h.text)")
        _ = App.apply(&h.s, .readingRuns(Array(all.prefix(11))))
        let arrived = h.s.catalog.runs.map(\.key)
        let sorted = h.s.leaderboard.query.apply(h.s.catalog.runs, corrected: h.s.totals).map(\.key)
        #expect(Set(arrived) == Set(all.map(\.key)) && h.s.visibleRuns.map(\.key) == sorted && sorted != arrived, "sorted as they come")
        _ = App.reloaded(&h.s, TrendsScreenTests.catalog)
        #expect(h.s.catalog.runs.count == 21 && h.text.contains("21 of 21 runs"))
        _ = App.apply(&h.s, .readingRuns(Array(all.prefix(3))))
        #expect(h.s.catalog.runs.count == 21, "a late part changes nothing")
    }
}
