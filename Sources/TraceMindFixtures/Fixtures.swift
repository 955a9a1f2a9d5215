import Foundation
import TraceMindDemo

/// Data sets made from the demo runs for tests of what goes wrong in real life.
public enum DemoFixtures {
    /// The demo runs plus a re-run of the gpt-4o run (run id `a1a1a1a1-…`, a day later) whose `weather_paris` asks
    /// about Lima: one test id with another prompt.
    public static func promptChanged() -> [String: Data] {
        var files = DemoGenerator().files()
        let folder = "openai_gpt-4o_tool_20261102_090000"
        for (path, data) in files where path.contains(folder) {
            let text = String(decoding: data, as: UTF8.self)
                .replacingOccurrences(of: "7f3c2a10-5b1e-4c9a-9d2e-1a2b3c4d5e6f", with: "a1a1a1a1-0000-4000-8000-000000000001")
                .replacingOccurrences(of: "What is the weather like in Paris right now?", with: "What is the weather like in Lima right now?")
            files[path.replacingOccurrences(of: folder, with: "openai_gpt-4o_tool_20261103_090000")] = Data(text.utf8)
        }
        return files
    }
}
