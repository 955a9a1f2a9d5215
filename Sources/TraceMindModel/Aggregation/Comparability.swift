import FoundationEssentials
import TraceMindFormats

/// What a run was evaluated on: its tests (agent type and task id) with a fingerprint of each prompt, and the task
/// dataset it names. Two runs compare like with like only when these agree.
public struct TaskSet: Sendable, Equatable {
    /// Test key (`agent:task`) → FNV-1a hash of the prompt (nil when the data has no prompt).
    public var prompts: [String: UInt64?]
    /// `dataset_used` as recorded (a Hub id or a local path), nil when not recorded.
    public var dataset: String?

    public init(_ a: RunAnalysis) {
        var p: [String: UInt64?] = [:]
        for t in a.tests where p[t.key] == nil { p[t.key] = t.result?.prompt.map(TaskSet.fingerprint) }
        prompts = p
        dataset = a.entry.row.raw["dataset_used"]?.text.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// One id for the task set: equal for runs of the same tests with the same prompts on the same dataset (16 hex
    /// digits of a hash over them, in a fixed order).
    public var id: String {
        var text = "dataset \(dataset ?? "-")"
        for k in prompts.keys.sorted() { text += "\n\(k) \(prompts[k].flatMap { $0 }.map { String($0, radix: 16) } ?? "-")" }
        return AnalysisCache.hex16(Hash64.of(text))
    }

    /// FNV-1a over the prompt's UTF-8, surrounding white space ignored.
    public static func fingerprint(_ prompt: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in prompt.trimmingBlanksAndNewlines().utf8 {
            h ^= UInt64(b)
            h = h &* 0x0000_0100_0000_01b3
        }
        return h
    }
}

/// Whether runs compare like with like, and where they do not: tests only some runs have, tests whose prompt
/// differs under the same id, different task datasets. Computed once per comparison.
public struct Comparability: Sendable, Equatable {
    /// Tests every run has with the same prompt (or no prompt recorded anywhere).
    public var shared: [String]
    /// Per run: its tests that at least one other run lacks.
    public var onlyIn: [[String]]
    /// Tests every run has, whose prompt differs between runs.
    public var promptDiffers: [String]
    /// Per run: `dataset_used`.
    public var datasets: [String?]

    public init(_ sets: [TaskSet]) {
        datasets = sets.map(\.dataset)
        var order: [String] = []
        var seen = Set<String>()
        for s in sets { for k in s.prompts.keys.sorted() where seen.insert(k).inserted { order.append(k) } }
        var shared: [String] = [], differs: [String] = []
        var only = [[String]](repeating: [], count: sets.count)
        for k in order {
            let present = sets.map { $0.prompts[k] != nil }
            if present.allSatisfy({ $0 }) {
                let hashes = Set(sets.compactMap { $0.prompts[k] ?? nil })
                if hashes.count > 1 { differs.append(k) } else { shared.append(k) }
            } else {
                for (i, p) in present.enumerated() where p { only[i].append(k) }
            }
        }
        self.shared = shared
        onlyIn = only
        promptDiffers = differs
    }

    /// The datasets named differ (only when every run names one).
    public var datasetsDiffer: Bool {
        let named = datasets.compactMap { $0 }
        return named.count == datasets.count && Set(named).count > 1
    }

    /// Every run ran the same tests with the same prompts.
    public var isSameTaskSet: Bool { onlyIn.allSatisfy(\.isEmpty) && promptDiffers.isEmpty && !datasetsDiffer }

    /// One line for every front end, nil when the task sets agree.
    public func warning(labels: [String]) -> String? {
        guard !isSameTaskSet else { return nil }
        var parts: [String] = []
        parts.append("\(shared.count) shared test\(shared.count == 1 ? "" : "s")")
        for (i, o) in onlyIn.enumerated() where !o.isEmpty && i < labels.count { parts.append("\(o.count) only in \(labels[i])") }
        if !promptDiffers.isEmpty { parts.append("\(promptDiffers.count) with the same id but another prompt") }
        if datasetsDiffer { parts.append("task datasets differ (\(datasets.compactMap { $0 }.joined(separator: " / ")))") }
        return "⚠ different task sets: " + parts.joined(separator: ", ") + "; whole-run figures are not comparable, see the shared-test figures"
    }
}
