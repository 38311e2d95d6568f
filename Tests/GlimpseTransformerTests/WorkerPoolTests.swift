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
