import Foundation
import TraceMindFuzz

#if FUZZING
    /// libFuzzer's entry point: the target named by `TRACEMIND_FUZZ_TARGET` (default: traces).
    let fuzzTarget = FuzzTarget(rawValue: ProcessInfo.processInfo.environment["TRACEMIND_FUZZ_TARGET"] ?? "traces") ?? .traces

    @_cdecl("LLVMFuzzerTestOneInput")
    public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
        _ = fuzzTarget.run(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
        return 0
    }

    /// libFuzzer's driver, started from the entry point SwiftPM gives an executable (it renames `main`).
    @_silgen_name("LLVMFuzzerRunDriver")
    func LLVMFuzzerRunDriver(
        _ argc: UnsafeMutablePointer<Int32>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
        _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
    ) -> Int32

    @_cdecl("tracemind_fuzz_main")
    public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
        var c = argc
        var v = argv
        return LLVMFuzzerRunDriver(&c, &v) { data, size in fuzzOne(data, size) }
    }
#else
    /// Without libFuzzer: `seeds TARGET DIR` writes a target's seed corpus; `replay TARGET FILE…` runs inputs (a
    /// crash found by the fuzzer, say) through it; `list` names the targets.
    @main struct FuzzTool {
        static func main() {
            let args = Array(CommandLine.arguments.dropFirst())
            func usage() -> Never {
                FileHandle.standardError.write(Data("usage: tracemind-fuzz list | seeds TARGET DIR | replay TARGET FILE...\n".utf8))
                exit(2)
            }
            guard let verb = args.first else { usage() }
            if verb == "list" {
                for t in FuzzTarget.allCases { print(t.rawValue) }
                return
            }
            guard args.count >= 3, let target = FuzzTarget(rawValue: args[1]) else { usage() }
            switch verb {
            case "seeds":
                try? FileManager.default.createDirectory(atPath: args[2], withIntermediateDirectories: true)
                for (i, s) in target.seeds.enumerated() {
                    _ = FileManager.default.createFile(atPath: args[2] + "/seed-\(i)", contents: Data(s))
                }
            case "replay":
                for path in args.dropFirst(2) {
                    guard let d = FileManager.default.contents(atPath: path) else { continue }
                    let o = target.run([UInt8](d))
                    print("\(path): \(o.runs) runs, \(o.tests) tests, \(o.diagnostics.count) diagnostics")
                }
            default: usage()
            }
        }
    }
#endif
