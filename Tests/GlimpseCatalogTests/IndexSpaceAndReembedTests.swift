import Foundation
import GRDB
import GlimpseTestSupport
import Testing

@testable import GlimpseCatalog

@Suite struct IndexSpaceAndReembedTests {
    @Test func modelIdentityAndCompactionTimeAreStoredPerSpace() throws {
        let directory = try ScratchDirectory("catalog")
        defer { directory.remove() }
        let catalog = try Catalog(CatalogConfiguration(path: directory.databasePath))
        #expect(try catalog.indexSpace("s") == nil)
        let model = ModelIdentity(name: "m", dimension: 4, fingerprint: "12:abc")
        try catalog.setModelIdentity(model, space: "s")
        let compacted = Date(timeIntervalSince1970: 1_800_000_000)
        try catalog.setCompactedAt(compacted, space: "s")
        let other = ModelIdentity(name: "m", dimension: 4, fingerprint: "12:def")
        try catalog.setModelIdentity(other, space: "s")
        let record = try #require(try catalog.indexSpace("s"))
        #expect(record.model == other)
        #expect(record.compactedAt == compacted, "a new model identity keeps the compaction time")
    }

    @Test func tombstonesAreCountedOnlySinceTheCompactionAndUpToTheWatermark() throws {
        let directory = try ScratchDirectory("catalog")
        defer { directory.remove() }
        let catalog = try Catalog(CatalogConfiguration(path: directory.databasePath))
        let a = try catalog.upsertItem(newItem("a"), vectors: [captionVector(1)]).newIDs
        let b = try catalog.upsertItem(newItem("b"), vectors: [captionVector(2)]).newIDs
        let c = try catalog.upsertItem(newItem("c"), vectors: [captionVector(3)]).newIDs
        _ = try catalog.deleteItem(externalID: "a")
        Thread.sleep(forTimeInterval: 0.01)
        let compaction = Date()
        Thread.sleep(forTimeInterval: 0.01)
        _ = try catalog.deleteItem(externalID: "b")
        _ = try catalog.deleteItem(externalID: "c")
        #expect(try catalog.tombstonedVectorIDs(space: "test-space", through: 100, since: nil) == Set(a + b + c))
        #expect(try catalog.tombstonedVectorIDs(space: "test-space", through: 100, since: compaction) == Set(b + c))
        #expect(try catalog.tombstonedVectorIDs(space: "test-space", through: b[0], since: compaction) == Set(b))
    }

    @Test func replacingVectorsSkipsDeletedOnesAndTombstonesTheReplaced() throws {
        let directory = try ScratchDirectory("catalog")
        defer { directory.remove() }
        let catalog = try Catalog(CatalogConfiguration(path: directory.databasePath))
        let a = try catalog.upsertItem(newItem("a", captions: ["en": "a cat"]), vectors: [captionVector(1)]).newIDs[0]
        let b = try catalog.upsertItem(newItem("b", captions: ["en": "a dog"]), vectors: [captionVector(2)]).newIDs[0]
        let sources = try catalog.liveCaptionVectors(space: "test-space", after: 0, through: b, limit: 10)
        #expect(sources.map(\.text) == ["a cat", "a dog"])
        _ = try catalog.deleteItem(externalID: "b")

        let made = try catalog.replaceVectors([(oldID: a, vector: [0, 1, 0, 0]), (oldID: b, vector: [1, 0, 0, 0])])
        #expect(made.map(\.oldID) == [a], "a deleted item's vector is not revived")
        #expect(made[0].newID > b)
        #expect(try catalog.vectors(space: "test-space", after: 0, limit: 10).map(\.id) == [made[0].newID])
        #expect(try catalog.item(externalID: "a")?.liveVectorCount == 1)
        #expect(try catalog.item(externalID: "b") == nil)
        #expect(throws: CatalogError.self) {
            try catalog.replaceVectors([(oldID: made[0].newID, vector: [.nan, 0, 0, 0])])
        }
    }

    @Test func aJobIsQueuedUnlessOneOfItsKindIsPending() throws {
        let directory = try ScratchDirectory("catalog")
        defer { directory.remove() }
        let catalog = try Catalog(CatalogConfiguration(path: directory.databasePath))
        let first = try #require(try catalog.enqueueJobUnlessPending(kind: "rebuild", payload: Data(), total: 0))
        #expect(try catalog.enqueueJobUnlessPending(kind: "rebuild", payload: Data(), total: 0) == nil)
        _ = try catalog.claimNextJob()
        #expect(
            try catalog.enqueueJobUnlessPending(kind: "rebuild", payload: Data(), total: 0) == nil, "running counts too"
        )
        #expect(try catalog.pendingJobs(kind: "rebuild").map(\.id) == [first])
        try catalog.finishJob(id: first, progress: .init(done: 1))
        #expect(try catalog.enqueueJobUnlessPending(kind: "rebuild", payload: Data(), total: 0) != nil)
        #expect(
            try catalog.enqueueJobUnlessPending(kind: "ingest", payload: Data(), total: 0) != nil,
            "other kinds are separate")
    }
}
