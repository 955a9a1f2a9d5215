import Dispatch
import FoundationEssentials

/// One record's outcome in a parallel pass.
public enum RecordSlot<T> {
    case empty
    case value(T)
    case failed(String)
}

/// A non-Sendable closure shared by the workers of one parallel pass (it only reads shared state).
public struct UncheckedBox<T>: @unchecked Sendable {
    public let value: T
    public init(_ v: T) { value = v }
}

/// The results of a parallel pass: each index is written by exactly one worker, then read after all finish.
public final class RecordSlots<T>: @unchecked Sendable {
    public let buffer: UnsafeMutableBufferPointer<RecordSlot<T>>
    public init(count: Int) {
        buffer = .allocate(capacity: count)
        buffer.initialize(repeating: .empty)
    }
    deinit {
        buffer.deinitialize()
        buffer.deallocate()
    }

    /// The slots moved out into an array (not copied: a copy counts every reference they hold, then the slots'
    /// release counts them again), leaving empty ones.
    public func take() -> [RecordSlot<T>] {
        let n = buffer.count
        let out = [RecordSlot<T>](unsafeUninitializedCapacity: n) { dst, count in
            if n > 0 { dst.baseAddress!.moveInitialize(from: buffer.baseAddress!, count: n) }
            count = n
        }
        buffer.initialize(repeating: .empty)
        return out
    }
}

/// Counts finished records from worker threads and reports progress.
public final class ProgressCounter: @unchecked Sendable {
    private let lock = Lock()
    private var done = 0
    private let total: Int
    private let progress: (@Sendable (Double) -> Void)?
    public init(total: Int, progress: (@Sendable (Double) -> Void)?) {
        self.total = total
        self.progress = progress
    }
    public func add(_ k: Int) {
        let d = lock.withLock { () -> Int in
            done += k
            return done
        }
        progress?(Double(d) / Double(max(1, total)))
    }
}

/// Work spread over the cores.
public enum Parallel {
    /// The cores this process may use (at least one), asked once: Foundation reads the cgroup's quota and cpuset
    /// files at every ask, which took an eighth of `tracemind top` over 10,000 runs, one ask per run.
    public static let cores = max(1, ProcessInfo.processInfo.activeProcessorCount)

    /// `work(i)` for every index on all cores, results in index order (empty where cancelled). `eachAlone`: every
    /// index is its own work item (items of very unequal cost, such as a row group's columns); otherwise runs of
    /// consecutive indices are. `serial`: all on this thread (work too small to be worth waking the other cores).
    public static func map<T>(
        _ n: Int, progress: (@Sendable (Double) -> Void)?, isCancelled: (@Sendable () -> Bool)?, eachAlone: Bool = false,
        serial: Bool = false, _ work: (Int) -> RecordSlot<T>
    ) -> [RecordSlot<T>] {
        guard n > 0 else { return [] }
        let chunks = parts(n, eachAlone: eachAlone, serial: serial)
        if chunks == 1 {
            var out: [RecordSlot<T>] = []
            out.reserveCapacity(n)
            for k in 0..<n {
                if isCancelled?() == true { break }
                out.append(work(k))
            }
            if out.count == n { progress?(1) }
            out += repeatElement(.empty, count: n - out.count)
            return out
        }
        let slots = RecordSlots<T>(count: n)
        let done = ProgressCounter(total: n, progress: progress)
        withoutActuallyEscaping(work) { work in
            let box = UncheckedBox(work)
            DispatchQueue.concurrentPerform(iterations: chunks) { c in
                let out = slots.buffer
                let lo = c * n / chunks, hi = (c + 1) * n / chunks
                for k in lo..<hi {
                    if isCancelled?() == true { return }
                    out[k] = box.value(k)
                }
                done.add(hi - lo)
            }
        }
        return slots.take()
    }

    /// How many work items a pass of `n` indices is cut into (see `map`).
    static func parts(_ n: Int, eachAlone: Bool, serial: Bool) -> Int { serial ? 1 : eachAlone ? n : min(n, cores * 4) }

    /// `work(i)` for every index on all cores, in index order: `map` for work that always gives a value (no progress,
    /// no cancelling), each value made in place in the array's own storage (no slots to copy it out of).
    public static func values<T>(_ n: Int, eachAlone: Bool = false, serial: Bool = false, _ work: (Int) -> T) -> [T] {
        guard n > 0 else { return [] }
        let chunks = parts(n, eachAlone: eachAlone, serial: serial)
        if chunks == 1 { return (0..<n).map(work) }
        return withoutActuallyEscaping(work) { work in
            let box = UncheckedBox(work)
            return [T](unsafeUninitializedCapacity: n) { buffer, initialized in
                // Every index is made by exactly one worker, and every worker runs to its end (nothing cancels).
                let out = UncheckedBox(buffer.baseAddress!)
                DispatchQueue.concurrentPerform(iterations: chunks) { c in
                    let lo = c * n / chunks, hi = (c + 1) * n / chunks
                    for k in lo..<hi { (out.value + k).initialize(to: box.value(k)) }
                }
                initialized = n
            }
        }
    }

    /// `work` started on a thread of its own (not one of the pool's: a pass on every core, nested in the pool, would
    /// run on one); the function returned waits for it and gives its value.
    public static func started<T>(_ work: @escaping @Sendable () -> T) -> () -> T {
        let slot = RecordSlots<T>(count: 1)
        let done = DispatchSemaphore(value: 0)
        Threads.detach {
            slot.buffer[0] = .value(work())
            done.signal()
        }
        return {
            done.wait()
            done.signal()
            guard case .value(let v) = slot.buffer[0] else { fatalError("Parallel.started: the work gave nothing") }
            return v
        }
    }

    /// `a()` and `b()` at once, on two cores (each only reads shared state).
    public static func both<A, B>(_ a: () -> A, _ b: () -> B) -> (A, B) {
        let slotA = RecordSlots<A>(count: 1), slotB = RecordSlots<B>(count: 1)
        withoutActuallyEscaping(a) { a in
            withoutActuallyEscaping(b) { b in
                let work = UncheckedBox((a, b))
                DispatchQueue.concurrentPerform(iterations: 2) { i in
                    if i == 0 { slotA.buffer[0] = .value(work.value.0()) } else { slotB.buffer[0] = .value(work.value.1()) }
                }
            }
        }
        guard case .value(let x) = slotA.buffer[0], case .value(let y) = slotB.buffer[0] else { fatalError("Parallel.both: a part did not run") }
        return (x, y)
    }
}
