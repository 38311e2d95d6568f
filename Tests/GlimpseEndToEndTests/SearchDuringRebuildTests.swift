import Foundation
import GlimpseAPI
import GlimpseClient
import GlimpseTestSupport
import Synchronization
import Testing

/// Searches keep being answered from the old index while a rebuild (here one that re-embeds every caption with the
/// real model, the longest kind) runs on the worker. Latency is printed, never asserted.
@Suite(.serialized) struct SearchDuringRebuildTests {
    @Test func searchesKeepAnsweringWithoutErrorsWhileARebuildRuns() async throws {
        try TestEnvironment.requirePrerequisites()
        try await withScratchDirectory("busy") { directory in
            let items = try SharedPhotoManifest.items(in: directory)
            try await withDaemon(in: directory) { daemon in
                try await SharedPhotoManifest.ingest(items, into: daemon)
                let queries = ["狗", "dog", "猫", "cat", "红色汽车", "a red car", "bird", "花", "flower", "boat"]
                let client = daemon.client

                // For comparison: the same three concurrent searchers on a quiet daemon.
                let quiet = SharedList<Double>()
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for worker in 0..<3 {
                        group.addTask {
                            for turn in 0..<20 {
                                let started = ContinuousClock.now
                                _ = try await client.search(queries[(worker + turn) % queries.count], k: 10)
                                quiet.append(Self.milliseconds(ContinuousClock.now - started))
                            }
                        }
                    }
                    try await group.waitForAll()
                }

                let accepted = try await daemon.adminClient.rebuild(reembed: true)
                let rebuildDone = SharedFlag()
                // Milliseconds of searches that ended before the rebuild was seen done.
                let latencies = SharedList<Double>()
                let failures = SharedList<String>()
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for worker in 0..<3 {
                        group.addTask {
                            var turn = worker
                            while !rebuildDone.isSet {
                                let query = queries[turn % queries.count]
                                turn += 1
                                let started = ContinuousClock.now
                                do {
                                    let answer = try await client.search(query, k: 10)
                                    let elapsed = ContinuousClock.now - started
                                    if answer.results.isEmpty { failures.append("\(query): no results") }
                                    if !rebuildDone.isSet {
                                        latencies.append(Self.milliseconds(elapsed))
                                    }
                                } catch {
                                    failures.append("\(query): \(error)")
                                }
                            }
                        }
                    }
                    let job = try await SharedPhotoManifest.waitForJob(accepted.jobID, daemon: daemon)
                    rebuildDone.set()
                    try await group.waitForAll()
                    #expect(job.state == .done, "\(job.errors)")
                }

                let measured = latencies.all.sorted()
                #expect(failures.all.isEmpty, "\(failures.all.prefix(5))")
                #expect(measured.count >= 10, "only \(measured.count) searches completed during the rebuild")
                let baseline = quiet.all.sorted()
                print(
                    String(
                        format:
                            "searches on a quiet daemon (3 concurrent clients): %d answered, p50 %.1f ms, p99 %.1f ms",
                        baseline.count, Self.percentile(0.5, of: baseline), Self.percentile(0.99, of: baseline)))
                print(
                    String(
                        format:
                            "searches during a re-embedding rebuild of %d items (3 concurrent clients): %d answered, %d errors, p50 %.1f ms, p99 %.1f ms",
                        items.count, measured.count, failures.all.count, Self.percentile(0.5, of: measured),
                        Self.percentile(0.99, of: measured)))
                let status = try await daemon.client.status()
                #expect(status.catalog.items == items.count)
                #expect(status.indexes.first?.vectors == items.count)
                #expect(await daemon.terminate() == 0)
            }
        }
    }

    static func milliseconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1e3 + Double(duration.components.attoseconds) / 1e15
    }

    /// Nearest-rank percentile of sorted values; NaN for none.
    static func percentile(_ p: Double, of sorted: [Double]) -> Double {
        guard !sorted.isEmpty else { return .nan }
        return sorted[min(sorted.count - 1, max(0, Int((p * Double(sorted.count)).rounded(.up)) - 1))]
    }
}

/// Shared by the searching tasks; each guarded by its own lock.
private final class SharedFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    var isSet: Bool { flag.load(ordering: .acquiring) }
    func set() { flag.store(true, ordering: .releasing) }
}

private final class SharedList<Element: Sendable>: Sendable {
    private let elements = Mutex<[Element]>([])
    func append(_ element: Element) { elements.withLock { $0.append(element) } }
    var all: [Element] { elements.withLock { $0 } }
}
