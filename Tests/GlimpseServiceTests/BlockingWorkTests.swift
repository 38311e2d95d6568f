import Foundation
import Synchronization
import Testing

@testable import GlimpseService

/// Blocking work runs on a bounded pool that starts and ends with its owner.
struct BlockingWorkTests {
    /// Runs `jobs` jobs at once, each long enough to overlap the others; returns the most that ran together and the
    /// kernel thread ids they ran on.
    /// What the jobs of `runConcurrently` saw, shared between the pool's threads.
    private final class Observations: Sendable {
        let running = Atomic<Int>(0)
        let peak = Atomic<Int>(0)
        let threads = Mutex<Set<Int32>>([])
    }

    private func runConcurrently(_ jobs: Int, on work: BlockingWork) async throws -> (peak: Int, threads: Set<Int32>) {
        let seen = Observations()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<jobs {
                group.addTask {
                    try await work.run {
                        let now = seen.running.add(1, ordering: .sequentiallyConsistent).newValue
                        _ = seen.peak.max(now, ordering: .sequentiallyConsistent)
                        seen.threads.withLock { _ = $0.insert(Self.kernelThreadID()) }
                        usleep(20_000)
                        seen.running.subtract(1, ordering: .sequentiallyConsistent)
                    }
                }
            }
            try await group.waitForAll()
        }
        return (seen.peak.load(ordering: .sequentiallyConsistent), seen.threads.withLock { $0 })
    }

    /// This thread's id as /proc/self/task lists it (Glibc's `gettid` is not imported into Swift).
    private static func kernelThreadID() -> Int32 {
        let link = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/thread-self")) ?? ""
        return Int32(link.split(separator: "/").last ?? "") ?? -1
    }

    /// Whether the kernel still lists any of these threads in this process, waiting a bounded while for them to end.
    private func anyAlive(_ threads: Set<Int32>) async throws -> Bool {
        for _ in 0..<500 {
            if !threads.contains(where: { FileManager.default.fileExists(atPath: "/proc/self/task/\($0)") }) {
                return false
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        return true
    }

    @Test func atMostTheConfiguredThreadsRunAtOnceAndTheyEndWithThePool() async throws {
        var work: BlockingWork? = BlockingWork(threads: 2)
        let (peak, threads) = try await runConcurrently(8, on: work!)
        #expect(peak <= 2)
        #expect(threads.count <= 2)
        work = nil
        #expect(try await anyAlive(threads) == false)
    }

    @Test func theServicePoolFollowsTheConfigurationAndEndsWithTheService() async throws {
        let fixture = try ServiceFixture()
        defer { fixture.remove() }
        var configuration = ServiceConfiguration(dataDirectory: fixture.dataDirectory)
        configuration.blockingThreads = 3
        var service: GlimpseService? = try fixture.makeService(configuration: configuration)
        #expect(service!.blockingWork.threadCount == 3)
        _ = try await service!.search("dog", k: 1, ef: nil)
        let (peak, threads) = try await runConcurrently(9, on: service!.blockingWork)
        #expect(peak <= 3)
        service = nil
        #expect(try await anyAlive(threads) == false)
    }

    @Test func theDefaultIsBoundedAndLeavesASecondThreadForSearches() {
        let threads = ServiceConfiguration(dataDirectory: URL(fileURLWithPath: "/nonexistent")).blockingThreads
        #expect(threads >= 2)
        #expect(threads <= max(2, ProcessInfo.processInfo.activeProcessorCount))
    }

    @Test func workQueuedByACancelledTaskStillRuns() async throws {
        // A cancelled ingest worker still finishes its chunk and writes its snapshots.
        let work = BlockingWork(threads: 1)
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await work.run { 42 }
        }
        #expect(try await task.value == 42)
    }
}
