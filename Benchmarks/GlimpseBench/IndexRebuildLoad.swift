import Dispatch
import Foundation
import GlimpseIndex
import Synchronization

/// Search latency on a live index while a second index of the same vectors is built beside it (as a rebuild
/// does, page by page), with the build in the foreground (every core, normal priority) and in the background
/// (one thread at nice 19, as IndexRebuilder builds), next to the same searches with nothing else running.
enum IndexRebuildLoad {
    private final class BuildOutcome: Sendable {
        let seconds = Mutex<Double?>(nil)
        let failure = Mutex<String?>(nil)
    }

    static func rows(live: HNSWIndex, workload: IndexWorkload, ef: Int, idleSeconds: Double = 3) throws -> [[String]] {
        var rows: [[String]] = []
        var latencies: [Double] = []
        let idleStart = Date()
        var next = 0
        while Date().timeIntervalSince(idleStart) < idleSeconds {
            latencies.append(try timedSearch(live, workload.queries[next % workload.queries.count], ef: ef))
            next += 1
        }
        let idle = summary(latencies, over: Date().timeIntervalSince(idleStart))
        rows.append(["idle", "—"] + idle.cells + ["1.00×"])

        for (name, insertion) in [
            ("rebuild, foreground", HNSWIndex.Insertion.foreground),
            ("rebuild, background (1 thread, nice 19)", .background(threads: 1)),
        ] {
            let outcome = BuildOutcome()
            let started = Date()
            DispatchQueue.global().async {
                do {
                    let index = try HNSWIndex(dimension: live.dimension, parameters: live.parameters)
                    index.setInsertion(insertion)
                    let page = 10_000
                    let ids = workload.ids
                    for start in stride(from: 0, to: workload.count, by: page) {
                        let end = min(start + page, workload.count)
                        try index.add(
                            ids: Array(ids[start..<end]),
                            vectors: Array(workload.vectors[start * workload.dimension..<end * workload.dimension]))
                    }
                } catch {
                    outcome.failure.withLock { $0 = "\(error)" }
                }
                outcome.seconds.withLock { $0 = Date().timeIntervalSince(started) }
            }
            latencies = []
            while outcome.seconds.withLock({ $0 }) == nil {
                latencies.append(try timedSearch(live, workload.queries[next % workload.queries.count], ef: ef))
                next += 1
            }
            if let failure = outcome.failure.withLock({ $0 }) { throw HNSWIndexError.backend(failure) }
            let build = outcome.seconds.withLock { $0 } ?? 0
            let during = summary(latencies, over: build)
            rows.append(
                [name, String(format: "%.1f s", build)] + during.cells + [
                    String(format: "%.2f×", during.p99 / idle.p99)
                ])
        }
        return rows
    }

    private static func timedSearch(_ index: HNSWIndex, _ query: [Float], ef: Int) throws -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        _ = try index.search(query, k: 10, ef: ef)
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
    }

    private struct Summary {
        var p50: Double
        var p99: Double
        var qps: Double
        var cells: [String] {
            [String(format: "%.2f ms", p50), String(format: "%.2f ms", p99), String(format: "%.0f", qps)]
        }
    }

    private static func summary(_ latencies: [Double], over seconds: Double) -> Summary {
        let sorted = latencies.sorted()
        func percentile(_ p: Double) -> Double {
            sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(p * Double(sorted.count)))]
        }
        return Summary(p50: percentile(0.5), p99: percentile(0.99), qps: Double(latencies.count) / max(seconds, 1e-9))
    }
}
