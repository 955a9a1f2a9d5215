import Foundation
import TestSupport
import Testing
@testable import TraceMindModel

/// Everything under ../shared/data must load with zero errors; skipped when it is absent.
@Suite struct RealDataTests {
    @Test(.enabled(if: sharedData() != nil, "needs ../shared/data")) func everythingLoadsWithoutDiagnostics() throws {
        let root = try #require(sharedData())
        let catalog = CatalogLoader.load(sources: [root + "/smoltrace-0.2.12/json", root + "/smoltrace-0.1"])
        #expect(catalog.diagnostics.isEmpty, "\(catalog.diagnostics)")
        #expect(catalog.runs.count == 6)
        for e in catalog.runs {
            let data = RunLoader.load(e)
            #expect(data.diagnostics.isEmpty, "\(e.key): \(data.diagnostics)")
            let a = RunAnalysis(entry: e, data: data)
            #expect(a.tests.count == e.row.totalTests, "\(e.key)")
            #expect(a.tests.allSatisfy { $0.trace != nil }, "\(e.key): every result joins a trace")
        }
    }

    @Test(.enabled(if: sharedData("smoltrace-0.2.12/json") != nil, "needs ../shared/data")) func currentDataIsRecordedThreeTimesOver() throws {
        let root = try #require(sharedData("smoltrace-0.2.12/json"))
        let catalog = CatalogLoader.load(sources: [root])
        for e in catalog.runs {
            let a = RunAnalysis(entry: e, data: RunLoader.load(e))
            #expect(a.recordedTotalTokens == 3 * a.tokens.total, "\(e.key)")
            let cost = try #require(a.cost.value)
            #expect(abs(a.recordedTotalCostUSD! - 3 * cost) < 1e-5, "\(e.key)")
            #expect(a.tests.allSatisfy { $0.joinedBy == .testCaseUID })
            #expect(a.passed == e.row.successfulTests)
            // Wall time is far below SMOLTRACE's summed nested durations.
            #expect(a.wall!.mean < e.row.avgDurationMs!)
        }
    }

    @Test(.enabled(if: sharedData("smoltrace-0.1") != nil, "needs ../shared/data")) func oldestEraQuirks() throws {
        let root = try #require(sharedData("smoltrace-0.1"))
        let catalog = CatalogLoader.load(sources: [root])
        let mistral = try catalog.run(matching: "mistral")
        #expect(mistral.row.runID == nil)
        #expect(mistral.row.totalTests == 5)  // num_tests alias
        #expect(mistral.row.timestamp?.hasPrefix("2025-10-22") == true)  // evaluation_date alias
        #expect(mistral.row.co2Grams == 0.0116)  // total_co2_g alias
        let a = RunAnalysis(entry: mistral, data: RunLoader.load(mistral))
        #expect(a.tests.allSatisfy { $0.result?.taskID.isEmpty == false })
        // No cost attribute anywhere: unknown, never $0.
        #expect(a.cost.value == nil && a.cost.unpriced > 0)
        #expect(a.tokens.total < a.recordedTotalTokens!)
        #expect(a.metrics?.aggregates.count == 6)
        let gpt = try catalog.run(matching: "gpt-3.5")
        let b = RunAnalysis(entry: gpt, data: RunLoader.load(gpt))
        #expect(b.errored == 8)
        #expect(b.tests.allSatisfy { $0.trace?.errorCount ?? 0 > 0 })
    }
}
