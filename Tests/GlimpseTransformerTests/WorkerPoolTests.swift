import Foundation
import GlimpseTestSupport
import GlimpseTransformer
import Synchronization
import Testing

@Suite struct WorkerPoolTests {
    @Test(arguments: [1, 2, 3, 8])
    func everyTaskRunsExactlyOnce(threads: Int) {
        let pool = WorkerPool(threadCount: threads)
        for tasks in [0, 1, 2, 5, 64] {
            var counts = [Int](repeating: 0, count: tasks)
            counts.withUnsafeMutableBufferPointer { counts in
                pool.run(tasks: tasks) { counts[$0] += 1 }  // each task writes only its own slot
            }
            #expect(counts == [Int](repeating: 1, count: tasks), "\(threads) threads, \(tasks) tasks")
        }
    }

    @Test func rangesCoverTheCountWithoutGaps() {
        for count in [0, 1, 7, 384, 1153] {
            for parts in 1...5 {
                let ranges = (0..<parts).map { WorkerPool.range($0, of: parts, count: count) }
                #expect(ranges.first?.lowerBound == 0 && ranges.last?.upperBound == count)
                #expect(zip(ranges, ranges.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound })
                #expect(ranges.map(\.count).max()! - ranges.map(\.count).min()! <= 1)
            }
        }
    }

    @Test func concurrentCallersEachGetTheirOwnJobDone() async {
        let pool = WorkerPool(threadCount: 2)
        let sums = await withTaskGroup(of: Int.self) { group in
            for caller in 0..<8 {
                group.addTask {
                    var parts = [Int](repeating: 0, count: 16)
                    for _ in 0..<50 {
                        parts.withUnsafeMutableBufferPointer { parts in
                            pool.run(tasks: 16) { parts[$0] += caller + $0 }
                        }
                    }
                    return parts.reduce(0, +)
                }
            }
            return await group.reduce(into: []) { $0.append($1) }.sorted()
        }
        #expect(sums == (0..<8).map { caller in 50 * (16 * caller + 120) })
    }

    /// Jobs right after one another meet workers still watching for work; jobs after a pause longer than the watch
    /// meet sleeping workers. Both must run every task once, with the workers taking part.
    @Test func jobsRunWhetherTheWorkersAreWatchingOrAsleep() {
        let pool = WorkerPool(threadCount: 2)
        let caller = pthread_self()
        for pause in [0, 0, 5_000, 0, 20_000] {
            if pause > 0 { usleep(UInt32(pause)) }  // 5 and 20 ms: far past the 100 µs watch
            let ranOnAWorker = Atomic<Int>(0)
            var counts = [Int](repeating: 0, count: 64)
            counts.withUnsafeMutableBufferPointer { counts in
                pool.run(tasks: 64) { task in
                    counts[task] += 1
                    if pthread_equal(pthread_self(), caller) == 0 {
                        ranOnAWorker.add(1, ordering: .relaxed)
                    } else {
                        // The caller's task waits for the worker to take one, so the caller cannot run them all
                        // itself however late the worker is scheduled; a worker that never wakes fails the test.
                        let deadline = ContinuousClock.now + .seconds(20)
                        while ranOnAWorker.load(ordering: .relaxed) == 0, ContinuousClock.now < deadline {
                            usleep(100)
                        }
                    }
                }
            }
            #expect(counts == [Int](repeating: 1, count: 64), "after a \(pause) µs pause")
            #expect(ranOnAWorker.load(ordering: .relaxed) > 0, "after a \(pause) µs pause the worker took no task")
        }
    }

    /// The quantised encoder stack gives bit-identical hidden states on 1, 2 and 3 threads, single and batched.
    @Test func quantisedEncoderResultsAreIdenticalAcrossThreadCounts() {
        let model = RandomQuantisedEncoder(seed: 8)
        let segments = [(start: 0, length: 7), (start: 7, length: 40), (start: 47, length: 3)]
        let reference = model.run(segments: segments, threads: 1)
        for threads in [2, 3] {
            #expect(
                model.run(segments: segments, threads: threads).map(\.bitPattern)
                    == reference.map(\.bitPattern),
                "\(threads) threads")
        }
    }
}
