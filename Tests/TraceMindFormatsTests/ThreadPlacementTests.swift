import CProcess
import Foundation
import Glibc
import Testing

@testable import TraceMindFormats

/// A thread started beside its caller (`Threads.detach(elsewhere:)`, under `Parallel.started`) starts on another
/// core than its caller's, then may run on every core the process may.
struct ThreadPlacementTests {
    @Test(.enabled(if: ProcessInfo.processInfo.activeProcessorCount >= 2, "one CPU: there is no other core to start on"))
    func itStartsOnTheOtherCores() {
        let all = Int(tm_thread_cpu_count())
        #expect(all >= 2)
        let attributes = UnsafeMutablePointer<pthread_attr_t>.allocate(capacity: 1)
        pthread_attr_init(attributes)
        defer {
            pthread_attr_destroy(attributes)
            attributes.deallocate()
        }
        #expect(tm_thread_attr_elsewhere(UnsafeMutableRawPointer(attributes)) == 1)
        // A thread made with these attributes starts with all the CPUs but one (it counts its own, as its first act).
        let counted = UnsafeMutablePointer<Int32>.allocate(capacity: 1)
        defer { counted.deallocate() }
        var thread: pthread_t = 0
        #expect(pthread_create(&thread, attributes, { context in
            context!.assumingMemoryBound(to: Int32.self).pointee = tm_thread_cpu_count()
            return nil
        }, counted) == 0)
        pthread_join(thread, nil)
        #expect(Int(counted.pointee) == all - 1)
    }

    @Test func itRunsItsWorkAndMayThenMoveAnywhere() {
        let all = tm_thread_cpu_count()
        let done = DispatchSemaphore(value: 0)
        let counted = UncheckedBox(UnsafeMutablePointer<Int32>.allocate(capacity: 1))
        defer { counted.value.deallocate() }
        Threads.detach(elsewhere: true) {
            counted.value.pointee = tm_thread_cpu_count()
            done.signal()
        }
        #expect(done.wait(timeout: .now() + 10) == .success)
        #expect(counted.value.pointee == all)
        // The value of work started beside this thread.
        let later = Parallel.started { (1...100).reduce(0, +) }
        #expect(later() == 5050)
    }

    /// `body` on a thread of the process's own (where a pass starts helpers), waited for.
    static func onOwnThread(_ body: @escaping @Sendable () -> Void) {
        let done = DispatchSemaphore(value: 0)
        Threads.detach {
            body()
            done.signal()
        }
        done.wait()
    }

    /// Threads of `Threads.detach` are the process's own; the pool's are not (their passes stay on the pool).
    @Test func ownThreadsAreMarked() {
        let marks = UncheckedBox(UnsafeMutablePointer<Bool>.allocate(capacity: 2))
        defer { marks.value.deallocate() }
        Self.onOwnThread { marks.value[0] = Parallel.onOwnThread }
        let done = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            marks.value[1] = Parallel.onOwnThread
            done.signal()
        }
        done.wait()
        #expect(marks.value[0] == true)
        #expect(marks.value[1] == false)
    }

    /// Every index of a pass runs once, on this thread or a thread started for it, on the process's own threads and
    /// the pool's; a pass nested in one runs too.
    @Test(arguments: [true, false]) func aPassRunsEveryIndexOnce(own: Bool) {
        let problems = Problems()
        if own { Self.onOwnThread { Self.everyIndexOnce(problems) } } else { Self.everyIndexOnce(problems) }
        #expect(problems.list.isEmpty, "\(problems.list)")
    }

    /// What a pass run off the test's own thread found wrong (checked on the test's thread).
    final class Problems: @unchecked Sendable {
        private let lock = Lock()
        private(set) var list: [String] = []
        func add(_ p: String) { lock.withLock { list.append(p) } }
    }

    static func everyIndexOnce(_ problems: Problems) {
        for n in [0, 1, 2, 3, 64, 1000] {
            let counts = UncheckedBox(UnsafeMutablePointer<Int>.allocate(capacity: max(n, 1)))
            counts.value.initialize(repeating: 0, count: max(n, 1))
            defer { counts.value.deallocate() }
            Parallel.perform(iterations: n) { i in
                counts.value[i] += 1
                // A pass nested in this one.
                if i == 0 {
                    let inner = Lock()
                    var total = 0
                    Parallel.perform(iterations: 10) { k in inner.withLock { total += k } }
                    if total != 45 { problems.add("nested total \(total) for n = \(n)") }
                }
            }
            if !(0..<n).allSatisfy({ counts.value[$0] == 1 }) { problems.add("an index not run once for n = \(n)") }
        }
    }

    /// Passes one after another: a helper that still held the pass's body when the pass returned made the runtime
    /// trap (`withoutActuallyEscaping`), in one run of the real-shaped run in forty.
    @Test func manyShortPasses() {
        let total = UncheckedBox(UnsafeMutablePointer<Int>.allocate(capacity: 1))
        total.value.pointee = 0
        defer { total.value.deallocate() }
        Self.onOwnThread {
            let lock = Lock()
            for _ in 0..<3000 {
                Parallel.perform(iterations: 2) { k in lock.withLock { total.value.pointee += k + 1 } }
            }
        }
        #expect(total.value.pointee == 3000 * 3)
    }
}
