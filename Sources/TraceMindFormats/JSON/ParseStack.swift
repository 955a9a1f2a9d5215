import FoundationEssentials

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
    func push(_ v: consuming T) {
        if count == capacity { grow() }
        (base! + count).initialize(to: v)
        count += 1
    }

    /// The elements from `start` up, moved into an array of their own. The array is made by reserving and appending,
    /// both specialised for `T`: `Array(unsafeUninitializedCapacity:)` allocates through the standard library's
    /// unspecialised entry point, which looks up the storage class's metadata on every call (some 700 instructions,
    /// as much as a small object's parse; `ArrayBuilding`).
    func take(from start: Int) -> [T] {
        let n = count - start
        guard n > 0, let base else { return [] }
        count = start
        return ArrayBuilding.moved(from: base + start, count: n)
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

/// Arrays made from memory by moving, on a path the compiler specialises for the element type (reserve, then append).
/// `Array(unsafeUninitializedCapacity:)` (and `Array(repeating:count:)`) allocate through an entry point the standard
/// library keeps unspecialised (`_allocateBufferUninitialized`, `@inline(never)`), which finds the storage class's
/// generic metadata in the runtime's tables on every call: some 700 instructions an array, more than a small JSON
/// object's parse. Where arrays are made by the tens of thousands, they are made here.
enum ArrayBuilding {
    /// The `count` values at `source`, moved (left uninitialised there) into a new array.
    static func moved<T>(from source: UnsafeMutablePointer<T>, count: Int) -> [T] {
        var out: [T] = []
        out.reserveCapacity(count)
        for k in 0..<count { out.append((source + k).move()) }
        return out
    }
}
