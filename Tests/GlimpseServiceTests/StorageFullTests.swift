import Foundation
import GlimpseAPI
import GlimpseCatalog
import Testing

@testable import GlimpseService

/// Issue 12.2: a full disk fails the job at once with `storage_full`, refuses new work with 507, leaves searches
/// and acknowledged items alone, and work resumes once there is room again, without a restart. The catalog's size
/// cap (SQLite's max_page_count) stands in for a full filesystem: SQLite reports both as SQLITE_FULL.
@Suite struct StorageFullTests {
    private func items(_ prefix: String, count: Int, fixture: ServiceFixture) throws -> [IngestItem] {
        // Long captions, so the items need many new pages.
        try (0..<count).map { number in
            IngestItem(
                id: "\(prefix)\(number)", imagePath: try fixture.image("\(prefix)\(number).jpg"),
                captions: ["en": "\(prefix) \(number) " + String(repeating: "filler words ", count: 120)])
        }
    }

    @Test func aFullCatalogFailsTheJobPromptlyAndWorkResumesOnceThereIsRoom() async throws {
        let fixture = try ServiceFixture()
        defer { fixture.remove() }
        var configuration = ServiceConfiguration(dataDirectory: fixture.dataDirectory)
        configuration.storageReserveBytes = 0
        let service = try fixture.makeService(configuration: configuration)
        let batch = try items("big", count: 40, fixture: fixture)
        try await withRunningService(service) { service in
            try await ingestNamed(["ant", "bee"], into: service, fixture: fixture)
            // Room for the job's payload (about 70 KB) but not for its items as well.
            try service.catalog.setSizeLimit(extraPages: 24)
            let jobID = try service.ingest(batch).jobID
            let job = try await waitForJob(jobID, in: service)
            #expect(job.state == .failed)
            #expect(job.inserted < batch.count)
            #expect(job.inserted + job.failed == batch.count, "every item is accounted for")
            #expect(job.errors.contains { $0.message.hasPrefix("storage_full:") }, "\(job.errors)")

            // New work is refused at once with 507's kind and code; nothing is queued.
            do {
                _ = try service.ingest(try items("more", count: 20, fixture: fixture))
                Issue.record("an ingest into a full catalog must be refused")
            } catch let error as ServiceError {
                #expect(error.kind == .insufficientStorage)
                #expect(error.errorCode == .storageFull)
            }
            // Searches keep answering, and what was acknowledged before is all there.
            #expect(try await service.search("ant", k: 1, ef: nil).results.first?.id == "ant")
            #expect(try service.item(id: "bee").id == "bee")

            // Room again: the same batch goes in without a restart, and the failure is on record in the catalog.
            try service.catalog.setSizeLimit(extraPages: nil)
            let retried = try await waitForJob(try service.ingest(batch).jobID, in: service)
            #expect(retried.inserted + retried.unchanged == batch.count)
            #expect(retried.unchanged == job.inserted, "what the failed job stored is kept")
            #expect(try service.item(id: "big7").captions["en"] == batch[7].captions["en"])
            for _ in 0..<500 where service.worker.unrecordedFinish(jobID: jobID) != nil {
                try await Task.sleep(for: .milliseconds(10))
            }
            #expect(try service.catalog.job(id: jobID)?.state == .failed)
            #expect(try service.status().catalog.items == 2 + batch.count)
        }
    }

    @Test func aJobCutShortMidwayKeepsWhatItStoredAndReportsTheRest() async throws {
        let fixture = try ServiceFixture()
        defer { fixture.remove() }
        var configuration = ServiceConfiguration(dataDirectory: fixture.dataDirectory)
        configuration.storageReserveBytes = 0
        configuration.ingestChunkSize = 4
        let service = try fixture.makeService(configuration: configuration)
        let batch = try items("mid", count: 60, fixture: fixture)
        let jobID = try service.ingest(batch).jobID
        // Room for some items, not all of them.
        try service.catalog.setSizeLimit(extraPages: 12)
        try await withRunningService(service) { service in
            let job = try await waitForJob(jobID, in: service)
            #expect(job.state == .failed)
            #expect(job.inserted > 0 && job.inserted < batch.count, "inserted \(job.inserted)")
            #expect(job.inserted + job.failed == batch.count, "every item is accounted for")
            #expect(job.errors.contains { $0.message.hasPrefix("storage_full:") })
            // Every item reported inserted is really in the catalog and found.
            #expect(try service.status().catalog.items == job.inserted)
            #expect(try await service.search("mid 0", k: 1, ef: nil).results.first?.id == "mid0")
        }
    }

    @Test func theStorageReserveIsAllocatedAndReleasedOnDemand() throws {
        let fixture = try ServiceFixture()
        defer { fixture.remove() }
        try FileManager.default.createDirectory(at: fixture.dataDirectory, withIntermediateDirectories: true)
        let reserve = StorageReserve(directory: fixture.dataDirectory, bytes: 256 << 10, logger: .init(label: "test"))
        #expect(!reserve.isInPlace)
        reserve.restoreIfMissing()
        #expect(reserve.isInPlace)
        var info = stat()
        #expect(stat(reserve.url.path, &info) == 0)
        #expect(Int(info.st_blocks) * 512 >= 256 << 10, "real blocks, not a sparse file")
        #expect(reserve.release())
        #expect(!reserve.isInPlace)
        #expect(!reserve.release(), "nothing left to release")
    }
}
