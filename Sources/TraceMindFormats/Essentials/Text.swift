import FoundationEssentials

// The text tools the project took from Foundation proper (`trimmingCharacters(in:)`, `contains`,
// `replacingOccurrences(of:with:)`, `range(of:)`, `addingPercentEncoding`), made here so that the binary links
// FoundationEssentials only (see `Threads.swift`; `NSString`'s path methods are in `Paths.swift`). Each gives what
// Foundation gave; the tests compare them with Foundation's own on the same inputs. Searches compare bytes
// (`ByteSearch.firstIndex`).

extension Unicode.Scalar {
    /// In `CharacterSet.whitespaces`: a space separator (Unicode category Zs), the tab, or U+200B (a space
    /// separator in the Unicode data Foundation's set was made from, and still in it).
    @inlinable public var isBlank: Bool {
        if isASCII { return value == 0x20 || value == 0x09 }
        return value == 0x200B || properties.generalCategory == .spaceSeparator
    }

    /// In `CharacterSet.whitespacesAndNewlines`: a blank, U+000A–U+000D, U+0085, U+2028 or U+2029.
    @inlinable public var isBlankOrNewline: Bool {
        if isASCII { return value == 0x20 || (0x09...0x0D).contains(value) }
        return value == 0x85 || value == 0x2028 || value == 0x2029 || value == 0x200B || properties.generalCategory == .spaceSeparator
    }

    /// In `CharacterSet.alphanumerics`: a letter, a mark or a number (Unicode categories L*, M*, N*), by the Unicode
    /// version of the standard library (Foundation's tables are older: characters assigned since are not in them).
    public var isAlphanumeric: Bool {
        switch properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
            .nonspacingMark, .spacingMark, .enclosingMark, .decimalNumber, .letterNumber, .otherNumber:
            return true
        default:
            return false
        }
    }
}

extension StringProtocol {
    /// Without the leading and trailing scalars `drop` holds (`trimmingCharacters(in:)`).
    public func trimming(where drop: (Unicode.Scalar) -> Bool) -> String {
        let u = unicodeScalars
        var lo = u.startIndex, hi = u.endIndex
        while lo < hi, drop(u[lo]) { lo = u.index(after: lo) }
        while hi > lo, drop(u[u.index(before: hi)]) { hi = u.index(before: hi) }
        return String(String.UnicodeScalarView(u[lo..<hi]))
    }

    /// `trimmingCharacters(in: .whitespaces)`.
    public func trimmingBlanks() -> String { trimming(where: \.isBlank) }

    /// `trimmingCharacters(in: .whitespacesAndNewlines)`.
    public func trimmingBlanksAndNewlines() -> String { trimming(where: \.isBlankOrNewline) }

    /// Whether `target` occurs, its bytes compared as they are: `"a\r\nb"` holds `"\r"` (the standard library's
    /// `contains`, by characters, says no: `\r\n` is one character), and `"|\u{301}"` holds `"|"`. What Foundation's
    /// `contains` answered for the texts the project asks about (an empty target, as there, occurs nowhere), and
    /// what a check for a line break or a slash needs.
    public func containsText(_ target: some StringProtocol) -> Bool {
        var s = String(self), t = String(target)
        return s.withUTF8 { h in t.withUTF8 { ByteSearch.firstIndex(of: UnsafeRawBufferPointer($0), in: UnsafeRawBufferPointer(h)) != nil } }
    }

    /// The first place `target` occurs, its bytes compared as they are (a literal search).
    public func firstRange(ofText target: String) -> Range<String.Index>? {
        let s = String(self)
        return s.utf8Ranges(of: target).first
    }

    /// The last place `target` occurs, its bytes compared as they are.
    public func lastRange(ofText target: String) -> Range<String.Index>? {
        let s = String(self)
        return s.utf8Ranges(of: target).last
    }

    /// Every `target` replaced by `replacement`, left to right, the bytes compared as they are: no occurrence is
    /// missed for the character it begins or ends (an escape must catch every `|` and `"`, whatever follows it).
    public func replacingEvery(_ target: String, with replacement: String) -> String {
        let s = String(self)
        let ranges = s.utf8Ranges(of: target)
        guard !ranges.isEmpty else { return s }
        var out = ""
        out.reserveCapacity(s.utf8.count + ranges.count * Swift.max(0, replacement.utf8.count - target.utf8.count))
        var at = s.startIndex
        for r in ranges {
            out += s[at..<r.lowerBound]
            out += replacement
            at = r.upperBound
        }
        out += s[at...]
        return out
    }

    /// Every byte of the text's UTF-8 that is not an ASCII character `keep` holds written as `%XX` (upper-case hex):
    /// what `addingPercentEncoding(withAllowedCharacters:)` writes for a set of ASCII characters.
    public func percentEncoded(keeping keep: (UInt8) -> Bool) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count)
        let hex = Array("0123456789ABCDEF".utf8)
        for b in utf8 {
            if b < 0x80 && keep(b) {
                out.append(b)
            } else {
                out.append(UInt8(ascii: "%"))
                out.append(hex[Int(b >> 4)])
                out.append(hex[Int(b & 15)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

extension StringProtocol {
    /// `addingPercentEncoding(withAllowedCharacters: .urlPathAllowed)`: as `percentEncoded(keeping:
    /// URLBytes.isPathAllowed)`, but a colon before the first slash encoded too (it would read as a scheme's end).
    public func percentEncodedPath() -> String {
        var slashSeen = false
        return percentEncoded { b in
            if b == UInt8(ascii: "/") { slashSeen = true }
            return b == UInt8(ascii: ":") ? slashSeen : URLBytes.isPathAllowed(b)
        }
    }
}

extension String {
    /// Non-overlapping places of `target`'s bytes, left to right (an empty target occurs nowhere).
    func utf8Ranges(of target: String) -> [Range<String.Index>] {
        var out: [Range<Int>] = []
        var s = self, t = target
        s.withUTF8 { h in
            t.withUTF8 { n in
                var k = 0
                while let at = ByteSearch.firstIndex(of: UnsafeRawBufferPointer(n), in: UnsafeRawBufferPointer(h), from: k) {
                    out.append(at..<(at + n.count))
                    k = at + n.count
                }
            }
        }
        let u = s.utf8
        return out.map { r in u.index(u.startIndex, offsetBy: r.lowerBound)..<u.index(u.startIndex, offsetBy: r.upperBound) }
    }
}

/// ASCII byte classes for percent-encoding.
public enum URLBytes {
    /// ASCII letters and digits.
    public static func isAlphanumeric(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
    }

    /// `CharacterSet.urlPathAllowed`'s ASCII: letters, digits and `!$&'()*+,-./:=@_~`.
    public static func isPathAllowed(_ b: UInt8) -> Bool {
        isAlphanumeric(b) || "!$&'()*+,-./:=@_~".utf8.contains(b)
    }

    /// RFC 3986's unreserved characters: letters, digits and `-._~`.
    public static func isUnreserved(_ b: UInt8) -> Bool {
        isAlphanumeric(b) || b == UInt8(ascii: "-") || b == UInt8(ascii: ".") || b == UInt8(ascii: "_") || b == UInt8(ascii: "~")
    }
}
