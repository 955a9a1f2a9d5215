import Foundation
import Testing
@testable import TraceMindReport

/// The report's number and table formatting, against the library forms they stand in for.
@Suite struct FormatTests {
    /// `Format.decimal` writes what `String(format: "%.Nf")` writes: ties, values just off a tie, tiny, negative,
    /// subnormal and large values, and many random ones of every magnitude a figure has.
    @Test func decimalIsPrintfExactly() {
        var values: [Double] = [
            0, -0.0, 0.5, 1.5, 2.5, -2.5, 0.125, 0.375, 2.675, 1.005, 0.045, 999.995, 0.0049999, 0.00999995, 1e-7, 5e-7, 4.9999e-7,
            123456.785, 1e14 + 0.5, 9.999_999_999e14, 0.3, 0.1 + 0.2, -0.001, -1e-9, Double.leastNonzeroMagnitude, Double.leastNormalMagnitude,
        ]
        var g = SystemRandomNumberGenerator()
        for _ in 0..<20_000 {
            let mag = Double.random(in: -12...14, using: &g)
            values.append((Bool.random(using: &g) ? 1 : -1) * pow(10, mag))
            // Exact ties at some number of digits: k / 2^n.
            values.append(Double(Int.random(in: 0...1_000_000, using: &g)) / Double(1 << Int.random(in: 1...12, using: &g)))
        }
        var wrong: [String] = []
        for v in values {
            for d in 0...9 where Format.decimal(v, d) != String(format: "%.\(d)f", v) {
                wrong.append("\(v) at \(d): \(Format.decimal(v, d)) vs \(String(format: "%.\(d)f", v))")
            }
        }
        #expect(wrong.isEmpty, "\(wrong.prefix(10))")
        #expect(Format.usd(0.0125) == "$0.0125" && Format.usd(0.004) == "$0.004" && Format.usd(12.345) == "$12.35" && Format.usd(-0.5) == "-$0.5000")
        #expect(Format.percent(75) == "75.0%" && Format.number(1.50) == "1.5" && Format.compact(133_209) == "133.2k")
        #expect(Format.timestamp("2026-11-21T13:27:59.123456") == "2026-11-21 13:27" && Format.timestamp("2026-11-21") == "2026-11-21")
        #expect(Format.timestamp("２０２６-11-21T13:27:59") == "２０２６-11-21 13:27" && Format.timestamp(nil) == "—", "characters, not bytes")
    }

    /// The blocks counted one column without a property lookup hold no combining mark, no zero-width joiner and no
    /// wide character: the fast path counts exactly what the full rule counts.
    @Test func narrowBlocksAreNarrow() {
        for r in TextTable.narrowBlocks {
            for v in r {
                guard let u = Unicode.Scalar(v) else { continue }
                let c = u.properties.generalCategory
                #expect(c != .nonspacingMark && c != .enclosingMark && v != 0x200D && !(0xFE00...0xFE0F).contains(v), "U+\(String(v, radix: 16))")
            }
        }
        #expect(TextTable.width("≥$0.01 — tok·rec") == 16 && TextTable.width("模型") == 4 && TextTable.width("e\u{301}") == 1)
    }

    @Test func alignedTableIsPaddedAndTrimmed() {
        var t = TextTable(headers: ["model", "cost"], align: [.left, .right])
        t.rows = [["gpt-4o", "$1.00"], ["模型", "≥$0.5000"], ["x"]]
        #expect(t.aligned() == "model       cost\n------  --------\ngpt-4o     $1.00\n模型    ≥$0.5000\nx\n")
        #expect(TextTable(headers: ["a"]).aligned() == "a\n-\n")
    }

    /// A table of many rows made in parts on all cores is the table made in one part, byte for byte: hostile and wide
    /// cells, short rows, and a widest cell in the last part.
    @Test func aTableMadeInPartsIsTheTableMadeWhole() {
        var t = TextTable(headers: ["run", "cost", "note"], align: [.left, .right, .left])
        for i in 0..<3_000 {
            t.rows.append(["run-\(i)", "$\(i).00", i % 7 == 0 ? "模型\u{1B}[31m red" : i % 11 == 0 ? "" : "ok"])
            if i % 13 == 0 { t.rows.append(["short"]) }
        }
        t.rows.append(["the widest cell of the table, last of all", "≥$1,000,000", "x"])
        let whole = t.aligned(parts: 1)
        #expect(whole.contains("the widest cell") && !whole.contains("\u{1B}"))
        for parts in [2, 3, 16, 64] { #expect(t.aligned(parts: parts) == whole, "\(parts) parts") }
        #expect(t.aligned() == whole)
    }
}
