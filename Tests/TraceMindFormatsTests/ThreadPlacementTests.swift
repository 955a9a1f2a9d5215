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

    /// Every index of a pass runs once, on this thread or a thread started for it; a pass nested in one runs too.
    @Test func aPassRunsEveryIndexOnce() {
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
                    #expect(total == 45)
                }
            }
            #expect((0..<n).allSatisfy { counts.value[$0] == 1 }, "n = \(n)")
        }
    }

    /// Passes one after another: a helper that still held the pass's body when the pass returned made the runtime
    /// trap (`withoutActuallyEscaping`), in one run of the real-shaped run in forty.
    @Test func manyShortPasses() {
        let total = UncheckedBox(UnsafeMutablePointer<Int>.allocate(capacity: 1))
        total.value.pointee = 0
        defer { total.value.deallocate() }
        let lock = Lock()
        for _ in 0..<3000 {
            Parallel.perform(iterations: 2) { k in lock.withLock { total.value.pointee += k + 1 } }
        }
        #expect(total.value.pointee == 3000 * 3)
    }
}
