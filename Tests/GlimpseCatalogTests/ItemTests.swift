import Foundation
import GRDB
import GlimpseTestSupport
import Testing

@testable import GlimpseCatalog

@Suite struct ItemTests {
    @Test func upsertOfANewItemStoresItsCaptionsAndVectors() throws {
        let directory = try ScratchDirectory("catalog")
        defer { directory.remove() }
        let catalog = try Catalog(CatalogConfiguration(path: directory.databasePath))
        let captions = ["en": "a cat", "zh": "一只猫"]
        let outcome = try catalog.upsertItem(
            newItem("cat", captions: captions),
            vectors: [captionVector(1, language: "en"), captionVector(2, language: "zh")])
        guard case .inserted(let ids) = outcome else {
            Issue.record("expected .inserted, got \(outcome)")
            return
        }
        #expect(ids.count == 2)
        #expect(ids == ids.sorted() && Set(ids).count == 2, "ids follow the order of the vectors argument")
        let item = try #require(try catalog.item(externalID: "cat"))
        #expect(item.captions == captions)
        #expect(item.imagePath == "/photos/cat.jpg")
        #expect(item.contentHash == "h1")
        #expect(item.liveVectorCount == 2)
        #expect(item.createdAt == item.updatedAt)
        #expect(try catalog.item(externalID: "dog") == nil)
        let languages = try catalog.pool.read { db in
            try String.fetchAll(
                db, sql: "SELECT caption_language FROM vectors WHERE id IN (?, ?) ORDER BY id",
                arguments: [ids[0], ids[1]])
        }
        #expect(languages == ["en", "zh"])
    }

    @Test func upsertWithTheSameContentHashChangesNothing() throws {
        let directory = try ScratchDirectory("catalog")
        defer { directory.remove() }
        let catalog = try Catalog(CatalogConfiguration(path: directory.databasePath))
        _ = try catalog.upsertItem(newItem("cat"), vectors: [captionVector(1)])
        let before = try #require(try catalog.item(externalID: "cat"))
        let outcome = try catalog.upsertItem(
            newItem("cat", captions: ["en": "ignored"]), vectors: [captionVector(9)])
        #expect(outcome == .unchanged)
        #expect(try catalog.item(externalID: "cat") == before)
        #expect(try catalog.scalar("SELECT count(*) FROM vectors") == 1)
    }

    @Test func upsertWithANewContentHashReplacesCaptionsAndTombstonesTheOldVectors() throws {
        let directory = try ScratchDirectory("catalog")
        defer { directory.remove() }
        let catalog = try Catalog(CatalogConfiguration(path: directory.databasePath))
        let first = try catalog.upsertItem(
            newItem("pet", captions: ["en": "a hamster", "fr": "un hamster"]),
            vectors: [captionVector(1, language: "en"), captionVector(2, language: "fr")])
        let oldIDs = first.newIDs
        let second = try catalog.upsertItem(
            newItem("pet", hash: "h2", captions: ["en": "a kangaroo"]), vectors: [captionVector(3)])
        guard case .updated(let ids, let tombstoned) = second else {
            Issue.record("expected .updated, got \(second)")
            return
        }
        #expect(tombstoned == oldIDs)
        #expect(ids.count == 1)
        #expect(ids[0] > oldIDs.max()!, "new vector ids are larger than every earlier one")
        let item = try #require(try catalog.item(externalID: "pet"))
        #expect(item.captions == ["en": "a kangaroo"])
        #expect(item.contentHash == "h2")
        #expect(item.liveVectorCount == 1)
        #expect(item.updatedAt >= item.createdAt)
        #expect(try catalog.tombstonedVectorIDs(space: "test-space") == Set(oldIDs))
        #expect(try catalog.scalar("SELECT count(*) FROM items") == 1)
    }

    @Test func anInvalidVectorIsRefusedAndNothingIsWritten() throws {
        let directory = try ScratchDirectory("catalog")
        defer { directory.remove() }
        let catalog = try Catalog(CatalogConfiguration(path: directory.databasePath))
        let bad: [NewVector] = [
            NewVector(space: "s", source: .caption, captionLanguage: "en", vector: [1, .nan]),
            NewVector(space: "s", source: .caption, captionLanguage: "en", vector: []),
            NewVector(space: "s", source: .caption, captionLanguage: nil, vector: [1]),
            NewVector(space: "", source: .caption, captionLanguage: "en", vector: [1]),
        ]
        for vector in bad {
            #expect(throws: CatalogError.self) {
                _ = try catalog.upsertItem(newItem("x"), vectors: [captionVector(1), vector])
            }
        }
        #expect(try catalog.item(externalID: "x") == nil)
        #expect(try catalog.scalar("SELECT count(*) FROM vectors") == 0)
        let image = NewVector(space: "s", source: .image, captionLanguage: nil, vector: [1, 2])
        #expect(try catalog.upsertItem(newItem("x"), vectors: [image]).newIDs.count == 1)
    }

    @Test func deleteItemTombstonesItsVectorsAndRemovesItsRows() throws {
        let directory = try ScratchDirectory("catalog")
        defer { directory.remove() }
        let catalog = try Catalog(CatalogConfiguration(path: directory.databasePath))
        let ids = try catalog.upsertItem(
            newItem("owl", captions: ["en": "an owl", "de": "eine Eule"]),
            vectors: [captionVector(1, language: "en"), captionVector(2, language: "de")]
        ).newIDs
        _ = try catalog.upsertItem(newItem("crab"), vectors: [captionVector(3)])

        #expect(try catalog.deleteItem(externalID: "owl") == ids)
        #expect(try catalog.item(externalID: "owl") == nil)
        #expect(try catalog.deleteItem(externalID: "owl") == nil, "a second delete finds nothing")
        #expect(try catalog.tombstonedVectorIDs(space: "test-space") == Set(ids))
        let counts = try catalog.counts()
        #expect(counts.items == 1)
        #expect(counts.captions == 1)
        #expect(counts.liveVectors == 1)
        #expect(counts.tombstonedVectors == 2)
        #expect(try catalog.hits(vectorIDs: ids).isEmpty, "a deleted item owns no hits")
        // Re-ingesting it later is a fresh insert.
        #expect(try catalog.upsertItem(newItem("owl"), vectors: [captionVector(4)]).newIDs.count == 1)
    }

    @Test func vectorIDsAreNeverReusedEvenAfterRowsAreRemoved() throws {
        let directory = try ScratchDirectory("catalog")
        defer { directory.remove() }
        let catalog = try Catalog(CatalogConfiguration(path: directory.databasePath))
        let first = try catalog.upsertItem(newItem("a"), vectors: [captionVector(1), captionVector(2, language: "fr")])
        try catalog.pool.write { db in try db.execute(sql: "DELETE FROM vectors") }
        let second = try catalog.upsertItem(newItem("b"), vectors: [captionVector(3)])
        #expect(second.newIDs[0] > first.newIDs.max()!)
    }
}
