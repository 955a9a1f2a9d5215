// swift-tools-version: 6.0
import PackageDescription

/// Members of a module are seen only where it is imported (not through another module's imports): `tracemind` links
/// FoundationEssentials, not Foundation, and TOMLKit's `import Foundation` must not lend its members to our code.
let essentials: [SwiftSetting] = [.enableUpcomingFeature("MemberImportVisibility")]

let package = Package(
    name: "TraceMindTUI",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "tracemind", targets: ["tracemind"]),
        .library(name: "TraceMindModel", targets: ["TraceMindModel"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
    ],
    targets: [
        // The system's decompressors (zstd, zlib, snappy) as one C module.
        .systemLibrary(name: "CCodecs", providers: [.apt(["libzstd-dev", "zlib1g-dev", "libsnappy-dev"])]),
        // File formats and the bytes they come in: JSON, Thrift, Parquet (+ codecs over CCodecs), reading files.
        // Names no domain type.
        .target(name: "TraceMindFormats", dependencies: ["CCodecs", "CProcess", "CScan"], swiftSettings: essentials),
        // Pure model: datasets, loading, accounting, aggregation, the figure registry. No UI, no C.
        .target(name: "TraceMindModel", dependencies: ["TraceMindFormats"], swiftSettings: essentials),
        // libcurl, opened on first use, through curl's own header (Debian: libcurl4-openssl-dev to build).
        .target(name: "CCurl", linkerSettings: [.linkedLibrary("dl")]),
        // HTTP(S) requests over CCurl for the remote sources, and the atomic writes their caches share. No domain type.
        .target(name: "TraceMindHTTP", dependencies: ["CCurl", "TraceMindFormats"], swiftSettings: essentials),
        // The Hugging Face Hub as a remote source: the Hub's listing API, the local cache.
        .target(name: "TraceMindHub", dependencies: ["TraceMindModel", "TraceMindFormats", "TraceMindHTTP"], swiftSettings: essentials),
        // OpenSearch as a remote source: SMOLTRACE's indexes read through the REST API (point in time + search_after,
        // scroll), documents by id, the local cache.
        .target(name: "TraceMindOpenSearch", dependencies: ["TraceMindModel", "TraceMindFormats", "TraceMindHTTP"], swiftSettings: essentials),
        // Deterministic generator of SMOLTRACE-shaped run folders (demo data, fixtures, benchmarks).
        .target(name: "TraceMindDemo", dependencies: ["TraceMindModel", "TraceMindFormats"], swiftSettings: essentials),
        // Fixture writers for tests, the benchmark and the fuzzer only (never linked into `tracemind`): the Hub
        // Parquet layout of runs (with its own Parquet writer) and data sets of what goes wrong in real life.
        .target(name: "TraceMindFixtures", dependencies: ["TraceMindModel", "TraceMindFormats", "TraceMindDemo", "TraceMindHTTP"]),
        // Report documents for the CLI: table / json / csv / markdown / text.
        .target(name: "TraceMindReport", dependencies: ["TraceMindModel", "TraceMindFormats"], swiftSettings: essentials),
        // Pure terminal-UI core: cells, buffer, width, layout, widgets, keys. No C.
        .target(name: "TerminalUI", swiftSettings: essentials),
        // ncursesw and the bytes that restore the terminal, as a C module.
        .systemLibrary(name: "CNCursesW", providers: [.apt(["libncurses-dev"])]),
        // Process-level safety in C (it runs inside signal handlers): partial files removed and the terminal
        // restored on every signal that ends the process; the allocator tuned for a report's burst of objects.
        .target(name: "CProcess"),
        // The JSON reader's scans for the end of a string and for its first quote or backslash, in C for the
        // processor's vector compares (SSE2; AVX2 where the processor has it).
        .target(name: "CScan"),
        // The Swift that touches ncurses: copies a Buffer to it, reads keys, signals and the pager.
        .target(name: "NCursesBackend", dependencies: ["TerminalUI", "CNCursesW", "CProcess"], swiftSettings: essentials),
        // The theme files of Themes/, compiled into the binary.
        .target(
            name: "TraceMindThemes", path: "Themes",
            resources: ["default", "light", "high-contrast", "mono", "tracemind"].map { .embedInCode("\($0).toml") }),
        // The app: state, update, view, screens, themes, key map.
        .target(
            name: "TraceMindApp",
            dependencies: [
                "TraceMindModel", "TraceMindFormats", "TerminalUI", "TraceMindReport", "TraceMindThemes",
                .product(name: "TOMLKit", package: "TOMLKit"),
            ], swiftSettings: essentials),
        // Thin executable: argument parsing and wiring.
        .executableTarget(
            name: "tracemind",
            dependencies: [
                "TraceMindModel", "TraceMindFormats", "TraceMindHTTP", "TraceMindHub", "TraceMindOpenSearch", "TraceMindDemo",
                "TraceMindReport", "TraceMindApp", "NCursesBackend",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            // A release build carries the Swift runtime and Foundation in the binary (the toolchain's static libraries,
            // `swift_static`; C libraries stay shared): no 14 Swift libraries to load and bind at each start, and the
            // runtime's calls made directly, not through the PLT. `--version` 11.8 → 8.1 ms, a 14.6 MB run 75 → 64 ms
            // (README, Performance). Debug builds (`swift run`, `swift test`) link as usual.
            swiftSettings: essentials + [.unsafeFlags(["-static-stdlib"], .when(configuration: .release))],
            // Nor does it export its symbols to the dynamic loader (SwiftPM exports an executable's ~7,600 Swift
            // symbols, for tests that import it: none do): each start's symbol lookups and the backtracer's `dladdr`
            // walk a table of 470, not 8,700.
            linkerSettings: [.unsafeFlags(["-static-stdlib", "-Xlinker", "--no-export-dynamic"], .when(configuration: .release))]),
        // Benchmarks on generated data at scale (never timed unit tests).
        .executableTarget(
            name: "tracemind-bench",
            dependencies: [
                "TraceMindModel", "TraceMindFormats", "TraceMindDemo", "TraceMindFixtures", "TraceMindReport", "TraceMindApp", "TerminalUI",
            ]),
        // The parser entry points untrusted bytes reach, and a deterministic mutator: `swift test` and the
        // libFuzzer harness both use them.
        .target(name: "TraceMindFuzz", dependencies: ["TraceMindModel", "TraceMindFormats", "TraceMindHub", "TraceMindDemo", "TraceMindFixtures"]),
        // The libFuzzer harness (built with -sanitize=fuzzer -DFUZZING; otherwise a seed writer and replayer).
        .executableTarget(name: "tracemind-fuzz", dependencies: ["TraceMindFuzz"]),
        // Helpers for the test targets only: subprocesses with deadlines, tmux, golden files, shared data.
        .target(name: "TestSupport"),
        // A loopback OpenSearch server (TestSupport's) to run by hand: SMOLTRACE's own exporter writes into it.
        .executableTarget(name: "tracemind-opensearch-loopback", dependencies: ["TestSupport"]),
        .testTarget(
            name: "TraceMindModelTests",
            dependencies: [
                "TraceMindModel", "TraceMindFormats", "TraceMindHTTP", "TraceMindHub", "TraceMindOpenSearch", "TraceMindDemo",
                "TraceMindFixtures", "TraceMindReport", "TraceMindFuzz", "TestSupport",
            ],
            exclude: ["__Snapshots__", "FuzzCorpus"]),
        .testTarget(name: "TraceMindFormatsTests", dependencies: ["TraceMindFormats", "CScan", "CProcess", "TestSupport"]),
        .testTarget(name: "TerminalUITests", dependencies: ["TerminalUI", "TestSupport"], exclude: ["__Snapshots__"]),
        .testTarget(
            name: "TraceMindAppTests",
            dependencies: [
                "TraceMindApp", "TraceMindModel", "TraceMindFormats", "TraceMindDemo", "TraceMindFixtures", "TraceMindReport", "TerminalUI",
                "TestSupport",
            ],
            exclude: ["__Snapshots__"]),
        .testTarget(name: "NCursesBackendTests", dependencies: ["NCursesBackend", "TerminalUI"]),
        .testTarget(
            name: "EndToEndTests", dependencies: ["TraceMindDemo", "TraceMindFixtures", "TraceMindModel", "TraceMindFormats", "TraceMindReport", "TestSupport"]),
    ]
)
