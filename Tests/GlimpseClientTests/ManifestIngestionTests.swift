import Foundation
import GlimpseAPI
import GlimpseClient
import Hummingbird
import Synchronization
import Testing

/// Ingesting a manifest against a fake daemon: batches arrive in order, jobs are followed to the end and per-item
/// failures are traced back to manifest lines.
@Suite struct ManifestIngestionTests {
    func entries(_ count: Int) -> [ManifestEntry] {
        (0..<count).map { index in
            ManifestEntry(
                lineNumber: 2 * index + 1,
                item: IngestItem(imagePath: "/p/\(index).jpg", captions: ["en": "photo \(index)"]))
        }
    }

    /// Jobs that answer `running` on their first poll and `done` afterwards; every item named `/p/3.jpg` fails.
    final class JobBook: Sendable {
        let jobs = Mutex<[Int64: (items: [IngestItem], polls: Int)]>([:])

        func accept(_ items: [IngestItem]) -> IngestAccepted {
            jobs.withLock { jobs in
                let id = Int64(jobs.count + 1)
                jobs[id] = (items, 0)
                return IngestAccepted(jobID: id, state: .queued, accepted: items.count)
            }
        }

        func poll(_ id: Int64) -> JobResponse? {
            jobs.withLock { jobs -> JobResponse? in
                guard let job = jobs[id] else { return nil }
                jobs[id]?.polls += 1
                let finished = job.polls >= 1
                let failures = job.items.enumerated().filter { $0.element.imagePath == "/p/3.jpg" }
                    .map { JobItemFailure(index: $0.offset, id: $0.element.imagePath, message: "image not readable") }
                return JobResponse(
                    id: id, kind: .ingest, state: finished ? .done : .running, total: job.items.count,
                    done: finished ? job.items.count - failures.count : 0, failed: finished ? failures.count : 0,
                    inserted: finished ? job.items.count - failures.count : 0, updated: 0, unchanged: 0,
                    errors: finished ? failures : [], createdAt: "t", updatedAt: "t")
            }
        }
    }

    static func routes(_ book: JobBook) -> @Sendable (Router<BasicRequestContext>, FakeDaemon) -> Void {
        { router, _ in
            router.post("/v1/items") { request, _ in
                var request = request
                let body = try await request.collectBody(upTo: 16 << 20)
                let batch = try JSONDecoder().decode(IngestBatch.self, from: Data(buffer: body))
                return FakeDaemon.json(book.accept(batch.items), status: .accepted)
            }
            router.get("/v1/jobs/{id}") { _, context in
                let id = try context.parameters.require("id", as: Int64.self)
                guard let job = book.poll(id) else {
                    return FakeDaemon.error(.notFound, code: .notFound, message: "no job \(id)")
                }
                return FakeDaemon.json(job)
            }
        }
    }

    @Test func batchesAreSentInOrderAndFailedItemsAreTracedToTheirManifestLines() async throws {
        let book = JobBook()
        let all = entries(7)
        try await FakeDaemon.with(configure: Self.routes(book)) { daemon in
            let ingestion = ManifestIngestion(
                client: GlimpseClient(socketPath: daemon.socketPath), pollInterval: .milliseconds(10))
            let submitted = try await ingestion.submit(IngestBatching.split(all, maxItems: 3))
            #expect(submitted.map(\.jobID) == [1, 2, 3])

            let posted = daemon.requests.filter { $0.method == "POST" }
                .compactMap { try? JSONDecoder().decode(IngestBatch.self, from: $0.body).items }
            #expect(posted.map(\.count) == [3, 3, 1])
            #expect(posted.flatMap { $0 } == all.map(\.item), "every item sent once, in manifest order")

            let seen = Mutex<[IngestProgress]>([])
            let report = try await ingestion.waitForCompletion(of: submitted) { progress in
                seen.withLock { $0.append(progress) }
            }
            #expect(report.total == 7)
            #expect(report.inserted == 6)
            #expect(report.failed == 1)
            #expect(!report.allSucceeded)
            #expect(
                report.errors == [
                    IngestItemError(jobID: 2, lineNumber: 7, id: "/p/3.jpg", message: "image not readable")
                ])

            let processed = seen.withLock { $0.map(\.processed) }
            #expect(processed == processed.sorted(), "progress never goes backwards")
            #expect(processed.last == 7)
        }
    }

    @Test func aRefusedBatchNamesItsManifestLinesAndTheJobsAlreadyAccepted() async throws {
        let all = entries(4)
        let posts = Mutex(0)
        try await FakeDaemon.with(configure: { router, _ in
            router.post("/v1/items") { _, _ in
                let count = posts.withLock { count in
                    count += 1
                    return count
                }
                if count == 1 {
                    return FakeDaemon.json(IngestAccepted(jobID: 9, state: .queued, accepted: 2), status: .accepted)
                }
                return FakeDaemon.error(
                    .badRequest, code: .invalidItem, message: "items[1].captions has an invalid language code \"EN\"")
            }
        }) { daemon in
            let ingestion = ManifestIngestion(client: GlimpseClient(socketPath: daemon.socketPath))
            do {
                _ = try await ingestion.submit(IngestBatching.split(all, maxItems: 2))
                Issue.record("a refused batch went unnoticed")
            } catch let error as BatchRefusedError {
                #expect(error.batchNumber == 2)
                #expect(error.lines == 5...7)
                #expect(error.accepted.map(\.jobID) == [9])
                #expect(error.underlying.code == "invalid_item")
                #expect(error.description.contains("items[1] is manifest line 7"), "\(error)")
            }
        }
    }
}
