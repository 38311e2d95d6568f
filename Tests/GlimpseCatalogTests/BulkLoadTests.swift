import Foundation
import GlimpseTestSupport
import Testing

@testable import GlimpseCatalog

/// `bulkInsertNewItems` (the benchmarks' bulk path) must leave the catalog exactly as `upsertItem` would.
@Suite struct BulkLoadTests {
    @Test func bulkInsertReadsBackLikeUpserts() throws {
        let directory = try ScratchDirectory("catalog")
        defer { directory.remove() }
        let catalog = try Catalog(CatalogConfiguration(path: directory.databasePath))
        let ids = try catalog.bulkInsertNewItems([
            (
                item: newItem("a", captions: ["en": "a cat", "zh": "一只猫"]),
                vectors: [captionVector(1), captionVector(2, language: "zh")]
            ),
            (item: newItem("b", captions: [:]), vectors: []),
            (item: newItem("c"), vectors: [captionVector(3)]),
        ])
        #expect(ids.count == 3 && ids == ids.sorted() && Set(ids).count == 3)

        let a = try #require(try catalog.item(externalID: "a"))
        #expect(a.captions == ["en": "a cat", "zh": "一只猫"] && a.liveVectorCount == 2)
        #expect(try catalog.item(externalID: "b")?.liveVectorCount == 0)
        let stored = try catalog.vectors(space: "test-space", after: 0, limit: 10)
        #expect(stored.map(\.id) == ids)
        #expect(stored.map(\.vector) == [captionVector(1).vector, captionVector(2).vector, captionVector(3).vector])
        let owners = try catalog.hits(vectorIDs: ids)
        #expect(owners[ids[1]]?.externalID == "a" && owners[ids[1]]?.captionLanguage == "zh")
        #expect(owners[ids[2]]?.externalID == "c")

        // The language sums follow the bulk path as they follow upserts.
        let sums = try catalog.languageSums(space: "test-space")
        #expect(sums.map(\.language).sorted() == ["en", "zh"])
        #expect(sums.first { $0.language == "en" }?.count == 2)

        // An item written by the bulk path is an ordinary item afterwards: the same content is unchanged.
        #expect(try catalog.upsertItem(newItem("c"), vectors: [captionVector(3)]) == .unchanged)
    }

    @Test func duplicateOrInvalidEntryWritesNothing() throws {
        let directory = try ScratchDirectory("catalog")
        defer { directory.remove() }
        let catalog = try Catalog(CatalogConfiguration(path: directory.databasePath))
        _ = try catalog.upsertItem(newItem("existing"), vectors: [captionVector(1)])

        #expect(throws: (any Error).self) {
            try catalog.bulkInsertNewItems([
                (item: newItem("new"), vectors: [captionVector(2)]),
                (item: newItem("existing"), vectors: [captionVector(3)]),
            ])
        }
        #expect(throws: CatalogError.self) {
            try catalog.bulkInsertNewItems([
                (
                    item: newItem("other"),
                    vectors: [NewVector(space: "test-space", source: .caption, captionLanguage: nil, vector: [1])]
                )
            ])
        }
        #expect(try catalog.item(externalID: "new") == nil)
        #expect(try catalog.item(externalID: "other") == nil)
        #expect(try catalog.scalar("SELECT count(*) FROM vectors") == 1)
    }
}
