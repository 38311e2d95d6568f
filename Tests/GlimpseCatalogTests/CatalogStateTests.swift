import Foundation
import GRDB
import GlimpseTestSupport
import Testing

@testable import GlimpseCatalog

@Suite struct CatalogStateTests {
    @Test func countsAgreeWithRawSQL() throws {
        let directory = try ScratchDirectory("catalog")
        defer { directory.remove() }
        let catalog = try Catalog(CatalogConfiguration(path: directory.databasePath))
        _ = try catalog.upsertItem(
            newItem("a", captions: ["en": "a", "fr": "un"]),
            vectors: [captionVector(1), captionVector(1, language: "fr")])
        _ = try catalog.upsertItem(newItem("b"), vectors: [captionVector(2)])
        _ = try catalog.upsertItem(newItem("b", hash: "h2"), vectors: [captionVector(3)])
        _ = try catalog.enqueueJob(kind: "ingest", payload: Data(), total: 1)
        _ = try catalog.enqueueJob(kind: "ingest", payload: Data(), total: 1)
        _ = try catalog.claimNextJob()

        let counts = try catalog.counts()
        #expect(counts.items == (try catalog.scalar("SELECT count(*) FROM items")))
        #expect(counts.captions == (try catalog.scalar("SELECT count(*) FROM captions")))
        #expect(counts.liveVectors == (try catalog.scalar("SELECT count(*) FROM vectors WHERE tombstoned_at IS NULL")))
        #expect(
            counts.tombstonedVectors
                == (try catalog.scalar("SELECT count(*) FROM vectors WHERE tombstoned_at IS NOT NULL")))
        for state in JobRecord.State.allCases {
            #expect(
                counts.jobs[state.rawValue]
                    == (try catalog.scalar("SELECT count(*) FROM jobs WHERE state = ?", [state.rawValue])))
        }
        #expect(counts.items == 2 && counts.captions == 3 && counts.liveVectors == 3 && counts.tombstonedVectors == 1)
        #expect(counts.jobs == ["queued": 1, "running": 1, "done": 0, "failed": 0])
    }

    @Test func dataSurviveClosingAndReopening() throws {
        let directory = try ScratchDirectory("catalog")
        defer { directory.remove() }
        let configuration = CatalogConfiguration(path: directory.databasePath)
        let item: ItemRecord?
        let job: JobRecord?
        let vectors: [StoredVector]
        do {
            let catalog = try Catalog(configuration)
            _ = try catalog.upsertItem(
                newItem("kept", captions: ["en": "kept", "zh": "保留"]), vectors: [captionVector(5)])
            let id = try catalog.enqueueJob(kind: "ingest", payload: Data([7, 8, 9]), total: 3)
            _ = try catalog.claimNextJob()
            try catalog.updateJobProgress(id: id, progress: JobProgress(done: 1, inserted: 1))
            item = try catalog.item(externalID: "kept")
            job = try catalog.job(id: id)
            vectors = try catalog.vectors(space: "test-space", after: 0, limit: 10)
        }
        let reopened = try Catalog(configuration)
        #expect(item != nil)
        #expect(try reopened.item(externalID: "kept") == item)
        #expect(try reopened.job(id: try #require(job).id) == job)
        #expect(try reopened.vectors(space: "test-space", after: 0, limit: 10) == vectors)
        #expect(try reopened.appliedMigrations() == Migration.all.map(\.name))
    }

    @Test func twoCatalogsOnTheSameFileSeeEachOthersWrites() throws {
        let directory = try ScratchDirectory("catalog")
        defer { directory.remove() }
        let configuration = CatalogConfiguration(path: directory.databasePath)
        let writer = try Catalog(configuration)
        let reader = try Catalog(configuration)
        _ = try writer.upsertItem(newItem("shared"), vectors: [captionVector(1)])
        #expect(try reader.counts().items == 1)
        #expect(try reader.item(externalID: "shared")?.liveVectorCount == 1)
    }
}
