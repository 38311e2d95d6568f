import Foundation
import GRDB
import GlimpseTestSupport
import Testing

@testable import GlimpseCatalog

/// Issue 12: texts SQLite would cut at a NUL are refused, the catalog has an identity and a stamp of its vector
/// rows for index snapshots, and a full database is reported as `storageFull`.
@Suite struct CatalogGuardTests {
    @Test func textsHoldingANULAreRefusedInsteadOfCutShort() throws {
        let directory = try ScratchDirectory("catalog")
        defer { directory.remove() }
        let catalog = try Catalog(CatalogConfiguration(path: directory.databasePath))
        _ = try catalog.upsertItem(newItem("victim"), vectors: [captionVector(1)])
        #expect(throws: CatalogError.textHoldsNUL(field: "external id")) {
            try catalog.upsertItem(newItem("victim\u{0}attacker", hash: "h2"), vectors: [captionVector(2)])
        }
        #expect(throws: CatalogError.textHoldsNUL(field: "caption en")) {
            try catalog.upsertItem(newItem("dog", captions: ["en": "do\u{0}g"]), vectors: [captionVector(3)])
        }
        #expect(throws: CatalogError.textHoldsNUL(field: "external id")) {
            try catalog.deleteItem(externalID: "victim\u{0}x")
        }
        #expect(throws: CatalogError.textHoldsNUL(field: "external id")) {
            try catalog.item(externalID: "victim\u{0}x")
        }
        let victim = try #require(try catalog.item(externalID: "victim"))
        #expect(victim.contentHash == "h1")
        #expect(victim.liveVectorCount == 1)
    }

    @Test func theIdentityIsCreatedOnceAndTheVectorStampFollowsTheRows() throws {
        let directory = try ScratchDirectory("catalog")
        defer { directory.remove() }
        let identity: String
        do {
            let catalog = try Catalog(CatalogConfiguration(path: directory.databasePath))
            identity = try catalog.identity()
            #expect(identity.count == 32)
            #expect(try catalog.vectorStamp(space: "test-space", through: 100).vectorCount == 0)
            _ = try catalog.upsertItem(newItem("a"), vectors: [captionVector(1)])
            _ = try catalog.upsertItem(newItem("b"), vectors: [captionVector(2)])
        }
        let catalog = try Catalog(CatalogConfiguration(path: directory.databasePath))
        #expect(try catalog.identity() == identity, "kept across opens")
        let before = try catalog.vectorStamp(space: "test-space", through: 2)
        #expect(before == CatalogVectorStamp(vectorCount: 2, vectorChecksum: "3:5"))
        // Tombstoning (a delete) keeps the rows, so the stamp through the same watermark does not change.
        _ = try catalog.deleteItem(externalID: "a")
        #expect(try catalog.vectorStamp(space: "test-space", through: 2) == before)
        #expect(try catalog.vectorStamp(space: "test-space", through: 1).vectorCount == 1)
        #expect(try catalog.vectorStamp(space: "other-space", through: 2).vectorCount == 0)

        let other = try ScratchDirectory("catalog")
        defer { other.remove() }
        #expect(try Catalog(CatalogConfiguration(path: other.databasePath)).identity() != identity)
    }

    @Test func aFullDatabaseIsReportedAsStorageFullAndWritesResumeOnceThereIsRoom() throws {
        let directory = try ScratchDirectory("catalog")
        defer { directory.remove() }
        let catalog = try Catalog(CatalogConfiguration(path: directory.databasePath))
        try catalog.setSizeLimit(extraPages: 0)
        let big = Data(repeating: 7, count: 64 << 10)
        do {
            _ = try catalog.enqueueJob(kind: "ingest", payload: big, total: 1)
            Issue.record("a write past the size limit must fail")
        } catch {
            let full = Catalog.storageFull(error)
            #expect(full != nil, "\(error)")
            #expect(full?.description.hasPrefix("storage full:") == true)
        }
        #expect(Catalog.storageFull(CatalogError.jobNotFound(id: 1)) == nil)
        #expect(Catalog.storageFull(POSIXError(.ENOSPC)) != nil)
        try catalog.setSizeLimit(extraPages: nil)
        let id = try catalog.enqueueJob(kind: "ingest", payload: big, total: 1)
        #expect(try catalog.job(id: id)?.payload == big)
        // Claiming and finishing rewrite the job row only, not its payload.
        #expect(try catalog.claimNextJob()?.payload == big)
    }
}
