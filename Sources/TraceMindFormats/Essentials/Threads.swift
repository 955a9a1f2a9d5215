import CProcess
import Dispatch
import FoundationEssentials
import Glibc

// The few threading tools the project took from Foundation (`NSLock`, `Thread`), made here over POSIX threads so that
// the binary links FoundationEssentials only: Foundation proper brought CoreFoundation's start-up work, ICU's data
// and 1,800 more conformance records for the Swift runtime to scan at every start (README, Performance).

/// A mutual-exclusion lock (what `NSLock` is on Linux: a `pthread_mutex_t`).
public final class Lock: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>

    public init() {
        mutex = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    public func lock() { pthread_mutex_lock(mutex) }
    public func unlock() { pthread_mutex_unlock(mutex) }

    public func withLock<R>(_ body: () throws -> R) rethrows -> R {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }
}

/// Threads of the process's own (not the dispatch pool's: work that runs a pass on every core inside the pool's
/// threads would run on one).
public enum Threads {
    /// `work` on a new detached thread. `elsewhere`: started on another core than the caller's, for work that runs
    /// beside the caller's own (see `tm_thread_attr_elsewhere`); it may move anywhere once it runs.
    public static func detach(elsewhere: Bool = false, _ work: @escaping @Sendable () -> Void) {
        // Plain C storage, set up by the C library (no Swift zero value of the union is needed).
        let attributes = UnsafeMutablePointer<pthread_attr_t>.allocate(capacity: 1)
        pthread_attr_init(attributes)
        defer {
            pthread_attr_destroy(attributes)
            attributes.deallocate()
        }
        pthread_attr_setdetachstate(attributes, Int32(PTHREAD_CREATE_DETACHED))
        let moved = elsewhere && tm_thread_attr_elsewhere(UnsafeMutableRawPointer(attributes)) == 1
        let box = Unmanaged.passRetained(WorkBox(work, moved: moved)).toOpaque()
        var thread: pthread_t = 0
        let made = pthread_create(&thread, attributes, { context in
            let work = Unmanaged<WorkBox>.fromOpaque(context!).takeRetainedValue()
            if work.moved { tm_thread_anywhere() }
            Parallel.ownThread()
            work.run()
            return nil
        }, box)
        if made != 0 {
            // No thread to be had (a process at its limit): the work runs on the pool instead.
            let work = Unmanaged<WorkBox>.fromOpaque(box).takeRetainedValue()
            DispatchQueue.global().async { work.run() }
        }
    }

    /// The calling thread paused for `seconds` (0 and less: not at all).
    public static func sleep(_ seconds: Double) {
        guard seconds > 0, seconds.isFinite else { return }
        let whole = seconds.rounded(.down)
        var t = timespec(tv_sec: Int(min(whole, Double(Int32.max))), tv_nsec: Int((seconds - whole) * 1e9))
        var rest = timespec()
        while nanosleep(&t, &rest) == -1 && errno == EINTR { t = rest }
    }

    private final class WorkBox: @unchecked Sendable {
        let run: @Sendable () -> Void
        /// Started on other cores than its creator's, to be given every core back (`tm_thread_anywhere`).
        let moved: Bool
        init(_ run: @escaping @Sendable () -> Void, moved: Bool) {
            self.run = run
            self.moved = moved
        }
    }
}

/// One value a thread keeps for itself (what `Thread.current.threadDictionary` held), made on the thread's first
/// `value` and released when the thread ends.
public final class ThreadLocal<T: AnyObject>: @unchecked Sendable {
    private var key = pthread_key_t()
    private let make: () -> T

    public init(_ make: @escaping () -> T) {
        self.make = make
        pthread_key_create(&key) { p in
            if let p { Unmanaged<AnyObject>.fromOpaque(p).release() }
        }
    }

    /// The thread's value, `renew` asked whether the one kept is still to be used.
    public func value(renew: (T) -> Bool = { _ in false }) -> T {
        if let p = pthread_getspecific(key), let kept = Unmanaged<AnyObject>.fromOpaque(p).takeUnretainedValue() as? T {
            if !renew(kept) { return kept }
            Unmanaged<AnyObject>.fromOpaque(p).release()
            pthread_setspecific(key, nil)
        }
        let made = make()
        pthread_setspecific(key, Unmanaged<AnyObject>.passRetained(made as AnyObject).toOpaque())
        return made
    }
}
