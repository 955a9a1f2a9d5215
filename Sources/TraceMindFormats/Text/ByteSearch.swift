import Foundation
/// Searching bytes for a lower-case ASCII needle, ASCII letters matched in either case (trace ids in files, the
/// waterfall's search over every attribute of 300,000 spans): no lowered copy of the haystack is made.
public enum ByteSearch {

    public static func containsFoldingCase(_ u: UnsafeRawBufferPointer, _ needle: [UInt8]) -> Bool {
        let m = needle.count, n = u.count
        guard m > 0 else { return true }
        guard m <= n else { return false }
        let first = needle[0]
        let firstUpper = first >= 0x61 && first <= 0x7A ? first - 32 : first
        var i = 0
        while i <= n - m {
            let c = u[i]
            if c == first || c == firstUpper {
                var k = 1
                while k < m {
                    var b = u[i + k]
                    if b >= 0x41 && b <= 0x5A { b += 32 }
                    if b != needle[k] { break }
                    k += 1
                }
                if k == m { return true }
            }
            i += 1
        }
        return false
    }
}
