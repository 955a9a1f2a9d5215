import Dispatch
import FoundationEssentials
import Glibc

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

    /// `body(i)` for every `i` in `0..<n` on every core, as `DispatchQueue.concurrentPerform` does it (this thread takes
    /// its share; indices are handed out one at a time as threads come free), but the other cores' share runs on
    /// threads started for the pass on the other cores (`Threads.detach(elsewhere:)`), not on the pool's worker. Woken
    /// for each pass, that worker was placed on the waking thread's core often enough to share it with that thread
    /// while the other core idled until the scheduler's next balancing: 1–12 ms of a 35 ms run in `perf sched` traces.
    /// Only on the process's own threads (`ownThread()`: the main thread of a command, threads of `Threads.detach`):
    /// on the pool's (a pass over many runs, each reading its files), and inside a pass of its own, it is
    /// `concurrentPerform`, which runs nested work on the calling thread; starting helpers there cost a cold
    /// leaderboard of 1,000 runs a third more time.
    public static func perform(iterations n: Int, _ body: (Int) -> Void) {
        let helpers = min(cores, n) - 1
        if helpers <= 0 {
            for i in 0..<n { body(i) }
            return
        }
        if !onOwnThread {
            withoutActuallyEscaping(body) { body in
                let box = UncheckedBox(body)
                DispatchQueue.concurrentPerform(iterations: n) { box.value($0) }
            }
            return
        }
        withoutActuallyEscaping(body) { body in
            // The helpers hold the pass unretained, and are done with it before they signal: the closure must not
            // outlive this block (the runtime checks), and a helper's thread ends after its signal.
            let pass = Pass(body, count: n)
            let shared = UncheckedBox(Unmanaged.passUnretained(pass))
            let done = DispatchSemaphore(value: 0)
            for _ in 0..<helpers {
                Threads.detach(elsewhere: true) {
                    shared.value.takeUnretainedValue().run()
                    done.signal()
                }
            }
            pass.run()
            for _ in 0..<helpers { done.wait() }
            withExtendedLifetime(pass) {}
        }
    }

    /// One pass of `perform`: its body and the indices, handed out one at a time as threads come free.
    final class Pass: @unchecked Sendable {
        private let body: (Int) -> Void
        private let lock = Lock()
        private var taken = 0
        private let count: Int
        init(_ body: @escaping (Int) -> Void, count: Int) {
            self.body = body
            self.count = count
        }

        private func next() -> Int? {
            lock.withLock {
                guard taken < count else { return nil }
                taken += 1
                return taken - 1
            }
        }

        /// Runs indices until none is left, the thread not counted as the process's own meanwhile (a pass nested in
        /// this one runs on the pool, and what it unmaps is unmapped there).
        func run() {
            let own = Parallel.onOwnThread
            Parallel.ownThread(false)
            while let i = next() { body(i) }
            Parallel.ownThread(own)
        }
    }

    /// Marks the process's own threads (see `perform`).
    static let ownKey: UncheckedBox<pthread_key_t> = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return UncheckedBox(key)
    }()

    /// Marks the calling thread as one of the process's own (or, `false`, not), not the pool's: its passes
    /// (`perform`) start helpers on the other cores. The executable's main thread calls it; `Threads.detach` marks its
    /// threads.
    public static func ownThread(_ own: Bool = true) {
        pthread_setspecific(ownKey.value, own ? UnsafeRawPointer(bitPattern: 1) : nil)
    }

    /// Whether the calling thread is one of the process's own (`ownThread()`).
    public static var onOwnThread: Bool { pthread_getspecific(ownKey.value) != nil }

    /// `work` started on a thread of its own (not one of the pool's: a pass on every core, nested in the pool, would
    /// run on one); the function returned waits for it and gives its value.
    public static func started<T>(_ work: @escaping @Sendable () -> T) -> () -> T {
        let slot = RecordSlots<T>(count: 1)
        let done = DispatchSemaphore(value: 0)
        // On another core: started on this one, it ran first while this thread, which has work of its own, waited.
        Threads.detach(elsewhere: true) {
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
