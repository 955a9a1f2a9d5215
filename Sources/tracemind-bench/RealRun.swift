import Foundation
import TraceMindFormats
import TraceMindModel

/// The budget's run is a real one: the largest real SMOLTRACE 0.2.12 run in `$SHARED_DATA` (else `../shared/data`),
/// its traces laid end to end until they are 14.6 MB, as the real run the issue measured, in `dir` (made when
/// absent). SMOLTRACE's own text is kept byte for byte — its indentation, its escapes, the JSON it holds in strings
/// (a tool list, a chat's messages) — but each copy's trace ids and test ids are made its own, in the traces and in the
/// results, so that the run has as many tests as traces. Nil when there is no such run.
func realShapedRun(_ dir: String) -> (key: String, traces: String, name: String, tests: Int, mb: Double)? {
    let shared = ProcessInfo.processInfo.environment["SHARED_DATA"] ?? "../shared/data"
    let runs = shared + "/smoltrace-0.2.12/json"
    let fs = LocalFileSystem()
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: runs),
        let source = names.map({ runs + "/" + $0 }).filter({ fs.fileSize($0 + "/traces.json") != nil }).max(by: {
            fs.fileSize($0 + "/traces.json")! < fs.fileSize($1 + "/traces.json")!
        })
    else { return nil }
    let folder = dir + "/" + URL(fileURLWithPath: source).lastPathComponent
    let target = folder + "/traces.json"
    // Laid out once: a later bench run reads the copy it finds.
    if !FileManager.default.fileExists(atPath: target) {
        guard let traces = try? fs.readFile(source + "/traces.json").data, let results = try? fs.readFile(source + "/results.json").data,
            let rows = (try? JSONParser.parse(results))?.arrayValue
        else { return nil }
        let found = JSONParser.elementRanges(traces)
        guard found.error == nil, !found.ranges.isEmpty else { return nil }
        let bytes = Int(14.6 * 1_048_576)
        log("laying \(URL(fileURLWithPath: source).lastPathComponent)'s traces end to end to 14.6 MB…")
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for f in ["leaderboard_row.json", "metadata.json", "metrics.json"] {
            if let d = try? fs.readFile(source + "/" + f).data { try? d.write(to: URL(fileURLWithPath: folder + "/" + f)) }
        }
        /// Copy `k`'s trace id: its last four hex digits moved by `k` (copy 0 is the original).
        func id(_ t: String, _ k: Int) -> String {
            guard k > 0, t.count > 4, let low = Int(t.suffix(4), radix: 16) else { return t }
            return String(t.dropLast(4)) + String(format: "%04x", (low + k * 7919) & 0xFFFF)
        }
        func quoted(_ s: String) -> [UInt8] { Array(("\"" + s + "\"").utf8) }
        /// `text` with each quoted text of `subs` replaced.
        func replaced(_ text: [UInt8], _ subs: [(from: [UInt8], to: [UInt8])]) -> [UInt8] {
            var out: [UInt8] = []
            out.reserveCapacity(text.count + 4096)
            var i = 0
            outer: while i < text.count {
                if text[i] == 0x22 {
                    for s in subs where i + s.from.count <= text.count && text[i..<(i + s.from.count)].elementsEqual(s.from) {
                        out += s.to
                        i += s.from.count
                        continue outer
                    }
                }
                out.append(text[i])
                i += 1
            }
            return out
        }
        // Whole traces, copy after copy, until 14.6 MB are laid.
        var out: [UInt8] = Array("[\n  ".utf8)
        var laid = Set<String>()
        var k = 0
        copying: while true {
            for r in found.ranges {
                var text = [UInt8](traces[r])
                let element = (try? JSONParser.parse(Data(text)))?.objectValue
                if k > 0, let element {
                    var subs: [(from: [UInt8], to: [UInt8])] = []
                    if let t = element["trace_id"]?.text { subs.append((quoted(t), quoted(id(t, k)))) }
                    for key in ["test_ids", "test_case_uids"] {
                        for v in element[key]?.arrayValue ?? [] { if let t = v.text { subs.append((quoted(t), quoted(t + "_r\(k)"))) } }
                    }
                    text = replaced(text, subs)
                }
                if out.count > 4 { out += Array(",\n  ".utf8) }
                out += text
                if let t = element?["trace_id"]?.text { laid.insert(id(t, k)) }
                if out.count + 2 >= bytes { break copying }
            }
            k += 1
        }
        out += Array("\n]".utf8)
        // The results of the tests whose traces were laid.
        var made: [JSON] = []
        for c in 0...k {
            for row in rows {
                guard var o = row.objectValue, let t = o["trace_id"]?.text, laid.contains(id(t, c)) else { continue }
                if c > 0 {
                    for key in ["task_id", "test_case_uid"] { if let t = o[key]?.text { o.set(key, .string(t + "_r\(c)")) } }
                    o.set("trace_id", .string(id(t, c)))
                }
                made.append(.object(o))
            }
        }
        try? JSONWriter.data(.array(made)).write(to: URL(fileURLWithPath: folder + "/results.json"))
        try? Data(out).write(to: URL(fileURLWithPath: target))
    }
    // The tests: the rows of the results laid out (not a read of the whole run for their count).
    guard let run = CatalogLoader.load(sources: [dir]).runs.first, let laidRows = run.files.results.flatMap({ try? fs.readFile($0).data }),
        let tests = (try? JSONParser.parse(laidRows))?.arrayValue?.count
    else { return nil }
    return (run.key, target, URL(fileURLWithPath: source).lastPathComponent, tests, Double(fs.fileSize(target) ?? 0) / 1_048_576)
}
