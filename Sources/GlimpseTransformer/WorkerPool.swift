import Foundation
import Synchronization

/// A fixed set of threads that run the tasks of one job at a time, the calling thread included (`threadCount` − 1
/// extra threads). Jobs from concurrent callers run one after another.
///
/// Waiting: a thread that finds nothing to do first watches for the next job (or, in `run`, for the last task to
/// finish) for at most `spinLimit`, then sleeps on a condition variable. An encoder pass over a short query is about
/// 120 jobs of a few microseconds each, and waking a sleeping thread costs tens of microseconds here (two futex
/// calls and a reschedule on a virtual machine): sleeping between jobs made a second thread worth nothing for one
/// query. The watch is bounded (unlike OpenBLAS's `sched_yield` loops, which kept idle threads busy), so a pool
/// between queries costs at most `spinLimit` of one core before it sleeps.
package final class WorkerPool: Sendable {
    package let threadCount: Int
    private let state: WorkerPoolState

    package init(threadCount: Int) {
        self.threadCount = max(1, threadCount)
        state = WorkerPoolState()
        for index in 1..<self.threadCount {
            let state = self.state
            let thread = Thread { state.workerLoop() }
            thread.name = "glimpse-encoder-\(index)"
            thread.start()
        }
    }

    deinit { state.stop() }

    /// Threads an encoder's pool gets unless its caller says: `GLIMPSE_ENCODER_THREADS`, else the core count.
    package static var configuredThreadCount: Int {
        ProcessInfo.processInfo.environment["GLIMPSE_ENCODER_THREADS"].flatMap { Int($0) }
            ?? ProcessInfo.processInfo.activeProcessorCount
    }

    /// Calls `body(task)` once for every task in 0..<tasks, spread over the pool's threads, and returns when all
    /// have finished. Tasks must write disjoint memory; which thread runs a task never changes its result.
    package func run(tasks: Int, _ body: (Int) -> Void) {
        guard tasks > 1, threadCount > 1 else {
            for task in 0..<max(tasks, 0) { body(task) }
            return
        }
        state.run(tasks: tasks, body)
    }

    /// Splits 0..<count into `parts` contiguous ranges of nearly equal size (the first ones one longer).
    package static func range(_ part: Int, of parts: Int, count: Int) -> Range<Int> {
        let base = count / parts
        let extra = count % parts
        let start = part * base + min(part, extra)
        return start..<(start + base + (part < extra ? 1 : 0))
    }
}

/// The pool's shared state. @unchecked Sendable because every mutable field is read and written only while
/// holding `condition`'s lock, and `job` (a non-Sendable closure) is called on other threads only between the
/// `start` and the end of `run`, which waits until no thread still holds it; the tasks it runs write disjoint memory
/// (the contract of `WorkerPool.run`), and the lock hand-offs order those writes before `run` returns.
private final class WorkerPoolState: @unchecked Sendable {
    /// Held by `run` for a whole job, so jobs of concurrent callers do not interleave.
    private let submission = NSLock()
    /// Guards every field below; workers wait on it for a job, `run` waits on it for the last task.
    private let condition = NSCondition()
    /// How long a thread watches for work before it sleeps (see `WorkerPool`).
    static let spinLimit: Duration = .microseconds(100)
    /// Mirrors of `generation` and of `unfinished + busyWorkers`, stored under the lock and read without it while
    /// watching; whatever a watcher sees, it rechecks under the lock before acting.
    private let publishedGeneration = Atomic<Int>(0)
    private let outstanding = Atomic<Int>(0)
    private var job: ((Int) -> Void)?
    private var taskCount = 0
    private var nextTask = 0
    private var unfinished = 0
    /// Workers inside `work()` (they may hold a reference to `job`).
    private var busyWorkers = 0
    private var generation = 0
    private var stopping = false

    func run(tasks: Int, _ body: (Int) -> Void) {
        submission.lock()
        defer { submission.unlock() }
        withoutActuallyEscaping(body) { body in
            condition.lock()
            job = body
            taskCount = tasks
            nextTask = 0
            unfinished = tasks
            generation &+= 1
            publishOutstanding()
            publishedGeneration.store(generation, ordering: .releasing)
            condition.broadcast()
            condition.unlock()

            work()

            Self.watch { outstanding.load(ordering: .acquiring) == 0 }
            condition.lock()
            while unfinished > 0 || busyWorkers > 0 { condition.wait() }
            job = nil
            condition.unlock()
        }
    }

    /// Claims and runs tasks of the current job until none is left.
    private func work() {
        while true {
            condition.lock()
            guard let job, nextTask < taskCount else {
                condition.unlock()
                return
            }
            let task = nextTask
            nextTask += 1
            condition.unlock()
            job(task)
            condition.lock()
            unfinished -= 1
            publishOutstanding()
            if unfinished == 0 { condition.broadcast() }
            condition.unlock()
        }
    }

    /// Called with the lock held whenever `unfinished` or `busyWorkers` changes.
    private func publishOutstanding() {
        outstanding.store(unfinished + busyWorkers, ordering: .releasing)
    }

    /// Returns when `done()` holds or `spinLimit` has passed, whichever is first.
    private static func watch(until done: () -> Bool) {
        if done() { return }
        let deadline = ContinuousClock.now + spinLimit
        var checks = 0
        while !done() {
            checks += 1
            // The clock is read every 64 checks only; a check is one atomic load.
            if checks & 63 == 0, ContinuousClock.now >= deadline { return }
        }
    }

    func workerLoop() {
        var seen = 0
        while true {
            Self.watch { publishedGeneration.load(ordering: .acquiring) != seen }
            condition.lock()
            while generation == seen, !stopping { condition.wait() }
            if stopping {
                condition.unlock()
                return
            }
            seen = generation
            busyWorkers += 1
            publishOutstanding()
            condition.unlock()
            work()  // returns having released its reference to the job
            condition.lock()
            busyWorkers -= 1
            publishOutstanding()
            if busyWorkers == 0 { condition.broadcast() }
            condition.unlock()
        }
    }

    func stop() {
        condition.lock()
        stopping = true
        publishedGeneration.store(-1, ordering: .releasing)  // ends a watch
        condition.broadcast()
        condition.unlock()
    }
}
