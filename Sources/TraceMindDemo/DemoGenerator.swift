import FoundationEssentials
import TraceMindFormats
import TraceMindModel

/// What to generate.
public struct DemoOptions: Sendable {
    /// The fixed demo runs (both eras, GPU, failed, flaky, long trace).
    public var includeFixedRuns = true
    /// Extra current-era runs, for benchmarks at scale.
    public var extraRuns = 0
    public var testsPerExtraRun = 24
    /// LLM calls per test in extra runs.
    public var stepsPerTest = 3
    /// Size of the agent's system prompt, repeated in every LLM span (SMOLTRACE stores it three times per call).
    public var systemPromptBytes = 900
    /// Spans in the long-horizon demo trace (≈ 5 per step).
    public var longTraceSteps = 420
    /// Put control characters and escape sequences in some prompts and errors (for hostile-input tests).
    public var hostileText = false
    /// Runs of three models evaluated once a day before the fixed runs (three a day: trends, regressions, flaky tests).
    public var historyRuns = 0

    public init() {}
}

/// A small deterministic PRNG (SplitMix64): the same options always give the same bytes.
public struct SplitMix64: Sendable {
    var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func int(_ r: ClosedRange<Int>) -> Int { r.lowerBound + Int(next() % UInt64(r.count)) }
    mutating func double() -> Double { Double(next() >> 11) / Double(1 << 53) }
    mutating func chance(_ p: Double) -> Bool { double() < p }
    mutating func pick<T>(_ a: [T]) -> T { a[int(0...(a.count - 1))] }
}

/// Generates SMOLTRACE-shaped run folders (`leaderboard_row.json`, `results.json`, `traces.json`, `metrics.json`,
/// `metadata.json`) as relative path → bytes. Its text is this project's own.
public struct DemoGenerator: Sendable {
    public var options: DemoOptions
    public init(options: DemoOptions = DemoOptions()) { self.options = options }

    public func files() -> [String: Data] {
        var out: [String: Data] = [:]
        if options.includeFixedRuns {
            for spec in RunSpec.fixed {
                var w = RunWriter(spec: spec, options: options)
                w.write(into: &out)
            }
        }
        for i in 0..<options.historyRuns {
            var w = RunWriter(spec: RunSpec.history(i), options: options)
            w.write(into: &out)
        }
        for i in 0..<options.extraRuns {
            var w = RunWriter(spec: RunSpec.extra(i, tests: options.testsPerExtraRun, steps: options.stepsPerTest), options: options)
            w.write(into: &out)
        }
        return out
    }
}

// MARK: - Task catalogue (the generator's own tasks)

struct DemoTask {
    var id: String
    var prompt: String
    var difficulty: String
    var tool: String
    var toolClass: String
    var agentTypes: [String]
    var argJSON: String
    var toolOutput: String
    var answer: String
}

enum Tasks {
    static let base: [DemoTask] = [
        DemoTask(
            id: "weather_paris", prompt: "What is the weather like in Paris right now?", difficulty: "easy", tool: "get_weather",
            toolClass: "WeatherTool", agentTypes: ["tool", "code"], argJSON: #"{"location": "Paris"}"#,
            toolOutput: "Paris: 14°C, light rain, wind 12 km/h", answer: "It is 14°C with light rain in Paris."),
        DemoTask(
            id: "weather_tokyo", prompt: "東京の天気は？ (What's the weather in Tokyo?)", difficulty: "easy", tool: "get_weather",
            toolClass: "天気Tool", agentTypes: ["tool"], argJSON: #"{"location": "東京"}"#,
            toolOutput: "東京: 21°C, 晴れ (sunny)", answer: "東京は21°Cで晴れです。"),
        DemoTask(
            id: "time_utc", prompt: "What time is it in UTC?", difficulty: "easy", tool: "get_current_time",
            toolClass: "TimeTool", agentTypes: ["tool", "code"], argJSON: #"{"timezone": "UTC"}"#,
            toolOutput: "2026-11-02T09:14:03Z", answer: "It is 09:14 UTC."),
        DemoTask(
            id: "calc_compound", prompt: "What is 1,250 € compounded at 3.5% for 7 years? Round to cents.", difficulty: "medium",
            tool: "calculator", toolClass: "CalculatorTool", agentTypes: ["tool", "code"],
            argJSON: #"{"expression": "1250 * 1.035 ** 7"}"#, toolOutput: "1590.35", answer: "1,590.35 €"),
        DemoTask(
            id: "search_release", prompt: "Find the release year of the first public Swift version.", difficulty: "medium",
            tool: "web_search", toolClass: "WebSearchTool", agentTypes: ["tool"], argJSON: #"{"query": "first public Swift release year"}"#,
            toolOutput: "Swift was announced in June 2014 and released in September 2014.", answer: "2014"),
        DemoTask(
            id: "multi_trip", prompt: "Plan a café ☕ stop: weather in Lyon and the local time there.", difficulty: "hard",
            tool: "get_weather", toolClass: "WeatherTool", agentTypes: ["tool", "code"], argJSON: #"{"location": "Lyon"}"#,
            toolOutput: "Lyon: 17°C, cloudy", answer: "17°C and cloudy; it is 10:14 local time."),
        DemoTask(
            id: "code_fibonacci", prompt: "Compute the 30th Fibonacci number with code and report it.", difficulty: "medium",
            tool: "python_interpreter", toolClass: "PythonInterpreterTool", agentTypes: ["code"],
            argJSON: #"{"code": "a, b = 0, 1\nfor _ in range(30): a, b = b, a + b\nprint(a)"}"#, toolOutput: "832040",
            answer: "832040"),
        DemoTask(
            id: "code_primes", prompt: "How many primes are below 10 000? Use code.", difficulty: "hard", tool: "python_interpreter",
            toolClass: "PythonInterpreterTool", agentTypes: ["code"],
            argJSON: #"{"code": "print(sum(all(n % d for d in range(2, int(n**0.5)+1)) for n in range(2, 10000)))"}"#,
            toolOutput: "1229", answer: "1229"),
        DemoTask(
            id: "search_rocket", prompt: "🚀 Which year did the first reusable orbital booster land?", difficulty: "hard",
            tool: "web_search", toolClass: "WebSearchTool", agentTypes: ["tool"], argJSON: #"{"query": "first orbital booster landing year"}"#,
            toolOutput: "The first orbital-class booster landing happened in December 2015.", answer: "2015"),
        DemoTask(
            id: "calc_units", prompt: "Convert 42 miles to kilometres (naïve rounding to 1 decimal).", difficulty: "easy", tool: "calculator",
            toolClass: "CalculatorTool", agentTypes: ["tool", "code"], argJSON: #"{"expression": "42 * 1.609344"}"#,
            toolOutput: "67.592448", answer: "67.6 km"),
    ]

    static func task(_ i: Int) -> DemoTask {
        var t = base[i % base.count]
        if i >= base.count { t.id += "_\(i / base.count)" }
        return t
    }
}

// MARK: - Run specifications

struct RunSpec {
    enum Era { case current, legacy }
    enum Status { case completed, partial, failed }
    var folder: String
    var runID: String?
    var model: String
    var provider: String
    var agentType: String
    var era: Era
    var status: Status = .completed
    var seed: UInt64
    var taskCount: Int
    var steps: ClosedRange<Int> = 1...3
    var passRate: Double
    var errorRate: Double = 0
    var timeoutRate: Double = 0
    var pricePerMPrompt: Double? = 2.5
    var pricePerMCompletion: Double? = 10
    var gpus: [String] = []
    var startNs: Int64
    var longTrace = false
    var useCase: String? = nil
    var team: String? = nil
    var apiClientMetrics = true

    static let base: Int64 = 1_793_610_000_000_000_000  // 2026-11-02T09:00:00Z

    static var fixed: [RunSpec] {
        [
            RunSpec(
                folder: "openai_gpt-4o_tool_20261102_090000", runID: "7f3c2a10-5b1e-4c9a-9d2e-1a2b3c4d5e6f",
                model: "openai/gpt-4o", provider: "litellm", agentType: "tool", era: .current, seed: 11, taskCount: 8,
                passRate: 0.75, errorRate: 0.1, startNs: base, useCase: "customer-support", team: "agents"),
            RunSpec(
                folder: "openai_gpt-4o-mini_both_20261102_091500", runID: "b1d2e3f4-0a1b-4c2d-8e3f-405162738495",
                model: "openai/gpt-4o-mini", provider: "litellm", agentType: "both", era: .current, seed: 22, taskCount: 10,
                steps: 1...4, passRate: 0.6, errorRate: 0.12, timeoutRate: 0.08, pricePerMPrompt: 0.15,
                pricePerMCompletion: 0.6, startNs: base + 900_000_000_000, longTrace: true, useCase: "customer-support",
                team: "agents"),
            RunSpec(
                folder: "Qwen_Qwen2.5-7B-Instruct_code_20261102_093000", runID: "gpu-qwen7b-2026-11-02",
                model: "Qwen/Qwen2.5-7B-Instruct", provider: "transformers", agentType: "code", era: .current, seed: 33,
                taskCount: 6, steps: 2...4, passRate: 0.5, errorRate: 0.0, pricePerMPrompt: nil, pricePerMCompletion: nil,
                gpus: ["NVIDIA L4", "NVIDIA L4"], startNs: base + 1_800_000_000_000, useCase: "research", team: "platform",
                apiClientMetrics: false),
            RunSpec(
                folder: "anthropic_claude-sonnet_tool_20261102_094500", runID: "c0ffee00-1111-4222-8333-944455556666",
                model: "anthropic/claude-sonnet", provider: "litellm", agentType: "tool", era: .current, status: .failed, seed: 44,
                taskCount: 0, passRate: 0, startNs: base + 2_700_000_000_000, useCase: "customer-support", team: "agents"),
            RunSpec(
                folder: "mistral_mistral-small-latest_tool_20251022_185434", runID: nil, model: "mistral/mistral-small-latest",
                provider: "litellm", agentType: "tool", era: .legacy, seed: 55, taskCount: 5, steps: 1...2, passRate: 0.4,
                errorRate: 0.2, pricePerMPrompt: nil, pricePerMCompletion: nil,
                startNs: 1_761_159_274_000_000_000),
        ]
    }

    static func extra(_ i: Int, tests: Int, steps: Int) -> RunSpec {
        let models = [
            ("openai/gpt-4o", 2.5, 10.0), ("openai/gpt-4o-mini", 0.15, 0.6), ("openai/gpt-4.1-nano", 0.1, 0.4),
            ("anthropic/claude-haiku", 0.8, 4.0), ("google/gemini-flash", 0.3, 2.5),
        ]
        let (m, pp, pc) = models[i % models.count]
        let agent = ["tool", "code", "both"][i % 3]
        let start = base + Int64(3600 + i * 600) * 1_000_000_000
        let stamp = compactStamp(start)
        let safe = m.replacingEvery("/", with: "_")
        return RunSpec(
            folder: "scale/\(safe)_\(agent)_\(stamp)_\(i)", runID: "scale-" + NumberText.padded(i, width: 5) + "-" + safe,
            model: m, provider: "litellm", agentType: agent, era: .current, seed: 1000 + UInt64(i), taskCount: tests,
            steps: max(1, steps)...max(1, steps), passRate: 0.4 + Double(i % 5) * 0.1, errorRate: 0.05, timeoutRate: 0.02,
            pricePerMPrompt: pp, pricePerMCompletion: pc, startNs: start, useCase: ["support", "research"][i % 2],
            team: ["agents", "platform", "evals"][i % 3])
    }

    /// Three models, one run each a day, oldest first: gpt-4o-mini steady but for a bad fifth day (a regression),
    /// claude-haiku improving and on more tests from its sixth day (another task set), gemini-flash noisy. Outcomes
    /// are drawn per run, so tests near their model's pass rate flip between runs.
    static func history(_ i: Int) -> RunSpec {
        let models: [(String, String, Double, Double, [Double])] = [
            ("openai/gpt-4o-mini", "tool", 0.15, 0.6, [0.75, 0.75, 0.8, 0.75, 0.25, 0.75, 0.8]),
            ("anthropic/claude-haiku", "tool", 0.8, 4.0, [0.55, 0.6, 0.65, 0.7, 0.7, 0.8, 0.8]),
            ("google/gemini-flash", "code", 0.3, 2.5, [0.5, 0.6, 0.45, 0.6, 0.5, 0.6, 0.55]),
        ]
        let (m, agent, pp, pc, rates) = models[i % 3]
        let day = i / 3
        let start = base - 8 * 86_400_000_000_000 + Int64(day) * 86_400_000_000_000 + Int64(i % 3) * 1_500_000_000_000
        let safe = m.replacingEvery("/", with: "_")
        return RunSpec(
            folder: "history/\(safe)_\(agent)_\(compactStamp(start))", runID: "hist-d\(day + 1)-" + safe, model: m, provider: "litellm",
            agentType: agent, era: .current, seed: 5000 + UInt64(i), taskCount: i % 3 == 1 && day >= 5 ? 16 : 12, steps: 1...2,
            passRate: rates[day % rates.count], errorRate: 0.04, pricePerMPrompt: pp, pricePerMCompletion: pc, startNs: start,
            useCase: "support", team: "evals")
    }

    static func compactStamp(_ ns: Int64) -> String {
        let c = ISOTime.civil(fromUnixSeconds: ns / 1_000_000_000)
        let p = { (n: Int, w: Int) in NumberText.padded(n, width: w) }
        return p(c.year, 4) + p(c.month, 2) + p(c.day, 2) + "_" + p(c.hour, 2) + p(c.minute, 2) + p(c.second, 2)
    }

    static func iso(_ ns: Int64, micros: Bool = true) -> String {
        let c = ISOTime.civil(fromUnixSeconds: ns / 1_000_000_000)
        let p = { (n: Int, w: Int) in NumberText.padded(n, width: w) }
        let base = p(c.year, 4) + "-" + p(c.month, 2) + "-" + p(c.day, 2) + "T" + p(c.hour, 2) + ":" + p(c.minute, 2) + ":" + p(c.second, 2)
        return micros ? base + "." + NumberText.padded(Int((ns % 1_000_000_000) / 1000), width: 6) : base
    }
}
