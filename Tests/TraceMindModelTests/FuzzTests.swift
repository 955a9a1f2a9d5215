import Foundation
import TestSupport
import Testing
import TraceMindFuzz
@testable import TraceMindModel

/// A few hundred deterministic mutations of each parser entry point's seeds: no crash (a crash ends this process),
/// no hang, bounded memory, and every problem a diagnostic that names the file. Then every input the coverage-guided
/// fuzzer ever crashed on (`FuzzCorpus/TARGET/…`) is replayed.
@Suite(.serialized) struct FuzzTests {
    static let inputsPerTarget = 150

    static func residentMB() -> Int {
        guard let s = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = s.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
            let kb = Int(line.split(separator: " ").dropFirst().first ?? "")
        else { return 0 }
        return kb / 1024
    }

    func check(_ target: FuzzTarget, _ input: [UInt8], label: String) {
        let start = Date()
        let o = target.run(input)
        let seconds = Date().timeIntervalSince(start)
        #expect(seconds < 10, "\(target.rawValue) \(label): \(seconds) s: a hang")
        for d in o.diagnostics {
            #expect(!d.path.isEmpty && !d.message.isEmpty, "\(target.rawValue) \(label): a diagnostic without a file or a problem: \(d)")
        }
    }

    @Test(arguments: FuzzTarget.allCases) func mutatedInputsNeverCrashOrHang(_ target: FuzzTarget) {
        let seeds = target.seeds
        #expect(!seeds.isEmpty && seeds.allSatisfy { !$0.isEmpty }, "seeds for \(target.rawValue)")
        // The seeds themselves load cleanly.
        for s in seeds {
            let o = target.run(s)
            #expect(o.diagnostics.filter { $0.severity != .note }.isEmpty, "\(target.rawValue) seed: \(o.diagnostics)")
        }
        let before = Self.residentMB()
        var m = Mutator(seed: 0x7EA5_0000 &+ UInt64(FuzzTarget.allCases.firstIndex(of: target)!))
        var named = 0
        for i in 0..<Self.inputsPerTarget {
            let input = m.mutate(seeds[i % seeds.count])
            check(target, input, label: "input \(i)")
            let o = target.run(input)
            if o.diagnostics.contains(where: { $0.path.hasSuffix(o.path) || $0.path == o.path || o.path.hasSuffix($0.path) }) { named += 1 }
        }
        #expect(named > 0 || target == .hubListing, "\(target.rawValue): damaged inputs give diagnostics naming the file")
        #expect(Self.residentMB() - before < 1024, "\(target.rawValue): memory stays bounded (\(before) → \(Self.residentMB()) MB)")
    }

    static let corpus = packageRoot.appendingPathComponent("Tests/TraceMindModelTests/FuzzCorpus").path

    @Test func crashesFoundByTheFuzzerStayFixed() throws {
        var replayed = 0
        for target in FuzzTarget.allCases {
            let dir = Self.corpus + "/" + target.rawValue
            for name in (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [] where !name.hasPrefix(".") {
                let data = try #require(FileManager.default.contents(atPath: dir + "/" + name))
                check(target, [UInt8](data), label: name)
                replayed += 1
            }
        }
        #expect(replayed > 0, "the corpus holds the inputs the fuzzer found")
    }
}
