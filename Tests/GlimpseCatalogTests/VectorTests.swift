import Foundation
import GRDB
import GlimpseTestSupport
import Testing

@testable import GlimpseCatalog

@Suite struct VectorTests {
    @Test func vectorsFloat16CannotHoldAreStoredAsFloat32BitExactAndLittleEndian() throws {
        let directory = try ScratchDirectory("catalog")
        defer { directory.remove() }
        let catalog = try Catalog(CatalogConfiguration(path: directory.databasePath))
        // -greatestFiniteMagnitude overflows float16, so this vector keeps the float32 form.
        let values: [Float] = [
            1, -0.0, .pi, -.greatestFiniteMagnitude, .leastNonzeroMagnitude, .leastNormalMagnitude, 1e-20, 0.1,
        ]
        let id = try catalog.upsertItem(
            newItem("a"), vectors: [NewVector(space: "s", source: .caption, captionLanguage: "en", vector: values)]
        ).newIDs[0]
        let stored = try #require(try catalog.vectors(space: "s", after: 0, limit: 10).first)
        #expect(stored.id == id)
        #expect(stored.vector.map(\.bitPattern) == values.map(\.bitPattern))
        let blob = try catalog.pool.read { db in
            try Data.fetchOne(db, sql: "SELECT vector FROM vectors WHERE id = ?", arguments: [id])
        }
        #expect(blob?.prefix(4) == Data([0x00, 0x00, 0x80, 0x3F]), "1.0 as little-endian float32")
        #expect(blob?.count == values.count * 4)
    }

    @Test func vectorsPagesLiveVectorsOfOneSpaceInIDOrder() throws {
        let directory = try ScratchDirectory("catalog")
        defer { directory.remove() }
        let catalog = try Catalog(CatalogConfiguration(path: directory.databasePath))
        for index in 0..<7 {
            _ = try catalog.upsertItem(
                newItem("item-\(index)"),
                vectors: [captionVector(Float(index)), captionVector(Float(index), space: "other-space")])
        }
        let replaced = try catalog.upsertItem(newItem("item-2", hash: "h2"), vectors: [captionVector(20)])
        guard case .updated(_, let tombstoned) = replaced else {
            Issue.record("expected .updated, got \(replaced)")
            return
        }
        var seen: [Int64] = []
        var watermark: Int64 = 0
        var pages = 0
        while true {
            let page = try catalog.vectors(space: "test-space", after: watermark, limit: 3)
            guard let last = page.last else { break }
            #expect(page.count <= 3)
            #expect(page.allSatisfy { $0.id > watermark && $0.vector.count == 4 })
            seen += page.map(\.id)
            watermark = last.id
            pages += 1
        }
        let expected = try catalog.pool.read { db in
            try Int64.fetchAll(
                db, sql: "SELECT id FROM vectors WHERE space = 'test-space' AND tombstoned_at IS NULL ORDER BY id")
        }
        #expect(seen == expected)
        #expect(seen.count == 7)
        #expect(pages == 3)
        #expect(!seen.contains(where: tombstoned.contains))
        #expect(try catalog.vectors(space: "test-space", after: 0, limit: 0).isEmpty)
    }

    @Test func aDamagedVectorBlobComesBackEmptySoReplayCanSkipIt() throws {
        let directory = try ScratchDirectory("catalog")
        defer { directory.remove() }
        let catalog = try Catalog(CatalogConfiguration(path: directory.databasePath))
        let ids = try catalog.upsertItem(newItem("a"), vectors: [captionVector(1), captionVector(2, language: "fr")])
            .newIDs
        try catalog.pool.writeWithoutTransaction { db in
            // Simulates on-disk damage the schema's CHECK would otherwise prevent.
            try db.execute(sql: "PRAGMA ignore_check_constraints = ON")
            try db.execute(sql: "UPDATE vectors SET vector = x'0000803F00' WHERE id = ?", arguments: [ids[0]])
            try db.execute(sql: "PRAGMA ignore_check_constraints = OFF")
        }
        let page = try catalog.vectors(space: "test-space", after: 0, limit: 10)
        #expect(page.map(\.id) == ids)
        #expect(page[0].vector.isEmpty)
        #expect(page[1].vector == captionVector(2).vector)
    }

    @Test func tombstonedVectorIDsAreListedPerSpace() throws {
        let directory = try ScratchDirectory("catalog")
        defer { directory.remove() }
        let catalog = try Catalog(CatalogConfiguration(path: directory.databasePath))
        let first = try catalog.upsertItem(
            newItem("a"), vectors: [captionVector(1), captionVector(1, space: "other-space")]
        ).newIDs
        _ = try catalog.upsertItem(newItem("a", hash: "h2"), vectors: [captionVector(2)])
        #expect(try catalog.tombstonedVectorIDs(space: "test-space") == [first[0]])
        #expect(try catalog.tombstonedVectorIDs(space: "other-space") == [first[1]])
        #expect(try catalog.tombstonedVectorIDs(space: "unknown").isEmpty)
    }

    @Test func hitsMapVectorIDsToTheirOwnersWithTheTombstonedFlag() throws {
        let directory = try ScratchDirectory("catalog")
        defer { directory.remove() }
        let catalog = try Catalog(CatalogConfiguration(path: directory.databasePath))
        let old = try catalog.upsertItem(newItem("pet", captions: ["en": "a hamster"]), vectors: [captionVector(1)])
            .newIDs[0]
        let new = try catalog.upsertItem(
            newItem("pet", hash: "h2", captions: ["en": "a kangaroo", "zh": "袋鼠"]),
            vectors: [captionVector(2), captionVector(3, language: "zh")]
        ).newIDs
        let image = NewVector(space: "test-space", source: .image, captionLanguage: nil, vector: [1, 0, 0, 0])
        let photo = try catalog.upsertItem(newItem("photo"), vectors: [image]).newIDs[0]

        let owners = try catalog.hits(vectorIDs: [new[1], old, photo, 999_999, new[1]])
        #expect(owners.count == 3, "unknown ids are absent and duplicates collapse")
        let kangaroo = try #require(owners[new[1]])
        #expect(kangaroo.externalID == "pet")
        #expect(kangaroo.imagePath == "/photos/pet.jpg")
        #expect(kangaroo.captions == ["en": "a kangaroo", "zh": "袋鼠"])
        #expect(kangaroo.source == .caption)
        #expect(kangaroo.captionLanguage == "zh")
        #expect(!kangaroo.tombstoned)
        #expect(owners[old]?.tombstoned == true)
        #expect(owners[old]?.externalID == "pet")
        #expect(owners[photo]?.source == .image)
        #expect(owners[photo]?.captionLanguage == nil)
        #expect(try catalog.hits(vectorIDs: []).isEmpty)
    }

    @Test func hitsAnswersForMoreIDsThanOneQueryChunk() throws {
        let directory = try ScratchDirectory("catalog")
        defer { directory.remove() }
        let catalog = try Catalog(CatalogConfiguration(path: directory.databasePath))
        let vectors = (0..<600).map { captionVector(Float($0), language: "l\($0)") }
        let ids = try catalog.upsertItem(newItem("many"), vectors: vectors).newIDs
        let owners = try catalog.hits(vectorIDs: ids)
        #expect(owners.count == 600)
        #expect(owners.values.allSatisfy { $0.externalID == "many" })
        #expect(owners[ids[599]]?.captionLanguage == "l599")
    }
}
