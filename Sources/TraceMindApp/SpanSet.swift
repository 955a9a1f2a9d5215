/// A set of spans by their index into a trace's spans, one bit each: the waterfall's folds. Folding everything below
/// the roots of a million-span trace put ~400,000 indices in a hashed set (56 ms a key); here it is one pass setting
/// bits, and a row's look-up is a bit test.
public struct SpanSet: Sendable, Equatable, ExpressibleByArrayLiteral {
    private var words: [UInt64] = []
    public private(set) var count = 0

    public init() {}

    public init<S: Sequence>(_ indices: S) where S.Element == Int {
        for i in indices { insert(i) }
    }

    public init(arrayLiteral indices: Int...) { self.init(indices) }

    /// The spans `0..<n` for which `member` holds, made in one pass.
    public init(count n: Int, where member: (Int) -> Bool) {
        words = [UInt64](repeating: 0, count: (max(0, n) + 63) / 64)
        for i in 0..<max(0, n) where member(i) {
            words[i >> 6] |= 1 << UInt64(i & 63)
            count += 1
        }
    }

    public var isEmpty: Bool { count == 0 }

    public func contains(_ i: Int) -> Bool {
        i >= 0 && i >> 6 < words.count && words[i >> 6] & (1 << UInt64(i & 63)) != 0
    }

    public mutating func insert(_ i: Int) {
        guard i >= 0, !contains(i) else { return }
        if i >> 6 >= words.count { words += [UInt64](repeating: 0, count: i >> 6 - words.count + 1) }
        words[i >> 6] |= 1 << UInt64(i & 63)
        count += 1
    }

    public mutating func remove(_ i: Int) {
        guard contains(i) else { return }
        words[i >> 6] &= ~(1 << UInt64(i & 63))
        count -= 1
    }

    /// Equal when they hold the same spans, however far their storage reaches.
    public static func == (a: SpanSet, b: SpanSet) -> Bool {
        guard a.count == b.count else { return false }
        let n = max(a.words.count, b.words.count)
        for k in 0..<n where (k < a.words.count ? a.words[k] : 0) != (k < b.words.count ? b.words[k] : 0) { return false }
        return true
    }
}
