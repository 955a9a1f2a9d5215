import Foundation

extension Cursor {
    /// The values from `base` up, moved off the stack into an array of their own.
    func takeValues(from base: Int) -> [JSON] { valueStack.take(from: base) }

    /// The keys from `base` up, moved off the stack into an array of their own.
    func takeKeys(from base: Int) -> [String] { keyStack.take(from: base) }

    /// What an object or array that failed to read had put on the stacks (a caller may go on with the cursor).
    func dropStacks(keys: Int, values: Int) {
        keyStack.drop(to: keys)
        valueStack.drop(to: values)
    }
}

/// A stack of values in memory of its own (no array's uniqueness and bounds checks on each push): the members and
/// elements of the objects and arrays a parse has open (`Cursor.keyStack`, `valueStack`).
final class ParseStack<T> {
    private(set) var count = 0
    private var capacity = 0
    private var base: UnsafeMutablePointer<T>?

    @inline(__always)
    func push(_ v: T) {
        if count == capacity { grow() }
        (base! + count).initialize(to: v)
        count += 1
    }

    /// The elements from `start` up, moved into an array of their own.
    func take(from start: Int) -> [T] {
        let n = count - start
        guard n > 0, let base else { return [] }
        count = start
        return [T](unsafeUninitializedCapacity: n) { buffer, made in
            buffer.baseAddress!.moveInitialize(from: base + start, count: n)
            made = n
        }
    }

    /// The elements from `start` up dropped.
    func drop(to start: Int) {
        guard count > start, let base else { return }
        (base + start).deinitialize(count: count - start)
        count = start
    }

    private func grow() {
        let grown = max(64, capacity * 2)
        let p = UnsafeMutablePointer<T>.allocate(capacity: grown)
        if let base {
            p.moveInitialize(from: base, count: count)
            base.deallocate()
        }
        base = p
        capacity = grown
    }

    deinit {
        if let base {
            base.deinitialize(count: count)
            base.deallocate()
        }
    }
}
