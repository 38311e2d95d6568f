import Foundation
import GRDB
import GlimpseTestSupport
import Testing

@testable import GlimpseCatalog

@Suite struct JobQueueTests {
    @Test func jobsAreClaimedOldestFirstAndFinishWithTheirProgress() throws {
        let directory = try ScratchDirectory("catalog")
        defer { directory.remove() }
        let catalog = try Catalog(CatalogConfiguration(path: directory.databasePath))
        let payload = Data("{\"items\":[]}".utf8)
        let first = try catalog.enqueueJob(kind: "ingest", payload: payload, total: 3)
        let second = try catalog.enqueueJob(kind: "ingest", payload: Data(), total: 1)
        #expect(second > first)

        let queued = try #require(try catalog.job(id: first))
        #expect(queued.state == .queued)
        #expect(queued.kind == "ingest")
        #expect(queued.total == 3)
        #expect(queued.payload == payload)
        #expect(queued.progress == JobProgress())

        let claimed = try #require(try catalog.claimNextJob())
        #expect(claimed.id == first)
        #expect(claimed.state == .running)
        #expect(try catalog.job(id: first) == claimed, "the claimed record is what is stored")
        #expect(claimed.payload == payload)

        var progress = JobProgress()
        progress.done = 2
        progress.inserted = 1
        progress.unchanged = 1
        progress.failed = 1
        progress.errors = [JobItemError(index: 1, externalID: "b", message: "image not found")]
        try catalog.updateJobProgress(id: first, progress: progress)
        #expect(try catalog.job(id: first)?.progress == progress)
        #expect(try catalog.job(id: first)?.state == .running)
        try catalog.finishJob(id: first, progress: progress)
        let finished = try #require(try catalog.job(id: first))
        #expect(finished.state == .done, "a job with some successes is done")
        #expect(finished.progress == progress)
        #expect(finished.updatedAt >= finished.createdAt)

        #expect(try catalog.claimNextJob()?.id == second)
        #expect(try catalog.job(id: second)?.payload == Data(), "an empty payload stays empty, not NULL")
        #expect(try catalog.claimNextJob() == nil)
        try catalog.finishJob(
            id: second,
            progress: JobProgress(failed: 1, errors: [JobItemError(index: 0, externalID: nil, message: "bad")]))
        #expect(try catalog.job(id: second)?.state == .failed, "a job whose every item failed is failed")
        #expect(try catalog.job(id: 12345) == nil)
    }

    @Test func requeueRunningJobsPutsInterruptedJobsBackAtTheirPlace() throws {
        let directory = try ScratchDirectory("catalog")
        defer { directory.remove() }
        let catalog = try Catalog(CatalogConfiguration(path: directory.databasePath))
        let interrupted = try catalog.enqueueJob(kind: "ingest", payload: Data([1]), total: 1)
        let later = try catalog.enqueueJob(kind: "ingest", payload: Data([2]), total: 1)
        _ = try catalog.claimNextJob()
        #expect(try catalog.requeueRunningJobs() == 1)
        #expect(try catalog.requeueRunningJobs() == 0)
        #expect(try catalog.job(id: interrupted)?.state == .queued)
        #expect(try catalog.claimNextJob()?.id == interrupted, "the older job is still claimed first")
        #expect(try catalog.claimNextJob()?.id == later)
    }

    @Test func updatingOrFinishingAnUnknownJobThrowsNotFound() throws {
        let directory = try ScratchDirectory("catalog")
        defer { directory.remove() }
        let catalog = try Catalog(CatalogConfiguration(path: directory.databasePath))
        #expect(throws: CatalogError.jobNotFound(id: 42)) {
            try catalog.updateJobProgress(id: 42, progress: JobProgress())
        }
        #expect(throws: CatalogError.jobNotFound(id: 42)) {
            try catalog.finishJob(id: 42, progress: JobProgress())
        }
    }

    @Test func concurrentClaimsHandOutEachJobOnce() async throws {
        let directory = try ScratchDirectory("catalog")
        defer { directory.remove() }
        let catalog = try Catalog(CatalogConfiguration(path: directory.databasePath))
        var enqueued: [Int64] = []
        for index in 0..<40 {
            enqueued.append(try catalog.enqueueJob(kind: "ingest", payload: Data([UInt8(index)]), total: 1))
        }
        let claimed = try await withThrowingTaskGroup(of: [Int64].self) { group in
            for _ in 0..<4 {
                group.addTask {
                    var mine: [Int64] = []
                    while let job = try catalog.claimNextJob() { mine.append(job.id) }
                    return mine
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        #expect(claimed.sorted() == enqueued)
    }

    @Test func aJobWithAnUnreadableProgressIsReportedAsCorrupt() throws {
        let directory = try ScratchDirectory("catalog")
        defer { directory.remove() }
        let catalog = try Catalog(CatalogConfiguration(path: directory.databasePath))
        let id = try catalog.enqueueJob(kind: "ingest", payload: Data(), total: 1)
        try catalog.pool.write { db in
            try db.execute(sql: "UPDATE jobs SET progress = 'not json' WHERE id = ?", arguments: [id])
        }
        #expect {
            _ = try catalog.job(id: id)
        } throws: { error in
            guard case .corruptJob(let corruptID, _) = error as? CatalogError else { return false }
            return corruptID == id
        }
    }
}
