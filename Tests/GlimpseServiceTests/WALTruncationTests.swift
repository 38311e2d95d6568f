import Foundation
import GlimpseAPI
import GlimpseCatalog
import Testing

@testable import GlimpseService

/// Issue 12.2 follow-up: after a full disk, the space the catalog's WAL holds is given back once writes succeed
/// again: the idle worker truncates the WAL (a TRUNCATE checkpoint), without a restart.
@Suite struct WALTruncationTests {
    @Test func theIdleWorkerEmptiesTheWALAfterAFullCatalogRecovers() async throws {
        let fixture = try ServiceFixture()
        defer { fixture.remove() }
        var configuration = ServiceConfiguration(dataDirectory: fixture.dataDirectory)
        configuration.storageReserveBytes = 0
        configuration.walTruncateInterval = .milliseconds(200)
        let service = try fixture.makeService(configuration: configuration)
        let batch = try (0..<40).map { number in
            IngestItem(
                id: "big\(number)", imagePath: try fixture.image("big\(number).jpg"),
                captions: ["en": "big \(number) " + String(repeating: "filler words ", count: 120)])
        }
        try await withRunningService(service) { service in
            try await ingestNamed(["ant", "bee"], into: service, fixture: fixture)
            try service.catalog.setSizeLimit(extraPages: 24)
            let failed = try await waitForJob(try service.ingest(batch).jobID, in: service)
            #expect(failed.state == .failed)
            #expect(failed.errors.contains { $0.message.hasPrefix("storage_full:") }, "\(failed.errors)")
            try service.catalog.setSizeLimit(extraPages: nil)
            let retried = try await waitForJob(try service.ingest(batch).jobID, in: service)
            #expect(retried.state == .done)
            // The WAL held the retried job's pages; the idle worker empties it within its interval.
            for _ in 0..<1_000 where service.catalog.walFileBytes > 0 {
                try await Task.sleep(for: .milliseconds(10))
            }
            #expect(service.catalog.walFileBytes == 0, "WAL still \(service.catalog.walFileBytes) bytes")
            #expect(try service.item(id: "big39").id == "big39")
            #expect(try await service.search("ant", k: 1, ef: nil).results.first?.id == "ant")
        }
    }
}
