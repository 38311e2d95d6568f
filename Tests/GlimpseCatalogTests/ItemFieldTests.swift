import Foundation
import GRDB
import GlimpseTestSupport
import Testing

@testable import GlimpseCatalog

@Suite struct ItemFieldTests {
    /// Six items: owners u1/u2 alternating, taken_at one day apart from 2024-01-01, tags, stars; item 5 has no
    /// fields and a Chinese caption.
    private func catalogWithItems(_ directory: ScratchDirectory) throws -> Catalog {
        let catalog = try Catalog(CatalogConfiguration(path: directory.databasePath))
        let january1: Double = 1_704_067_200
        for index in 0..<6 {
            var item = newItem("i\(index)", captions: index == 5 ? ["zh": "猫"] : ["en": "cat \(index)"])
            if index < 5 {
                item.fields = [
                    "owner": .string(index % 2 == 0 ? "u1" : "u2"),
                    "taken_at": .timestamp(
                        seconds: january1 + Double(index) * 86_400, text: "2024-01-0\(index + 1)T00:00:00Z"),
                    "tags": .strings(index < 2 ? ["beach", "sea"] : ["city"]),
                    "stars": .number(Double(index)),
                    "public": .boolean(index == 0),
                ]
            }
            _ = try catalog.upsertItem(item, vectors: [captionVector(Float(index), language: index == 5 ? "zh" : "en")])
        }
        return catalog
    }

    private func matching(_ catalog: Catalog, _ filter: ItemFilter) throws -> [String] {
        try catalog.items(matching: filter, after: 0, limit: 100).map(\.item.externalID)
    }

    @Test func fieldsAreStoredAndReadBackAsGiven() throws {
        let directory = try ScratchDirectory("fields")
        defer { directory.remove() }
        let catalog = try catalogWithItems(directory)
        let item = try #require(try catalog.item(externalID: "i0"))
        #expect(item.fields["owner"] == .string("u1"))
        #expect(item.fields["tags"] == .strings(["beach", "sea"]))
        #expect(item.fields["taken_at"] == .timestamp(seconds: 1_704_067_200, text: "2024-01-01T00:00:00Z"))
        #expect(item.fields["stars"] == .number(0))
        #expect(item.fields["public"] == .boolean(true))
        #expect(try catalog.item(externalID: "i5")?.fields == [:])
        #expect(try catalog.fields(externalIDs: ["i1", "i5", "missing"]).keys.sorted() == ["i1"])
    }

    @Test func filtersSelectTheRightItems() throws {
        let directory = try ScratchDirectory("fields")
        defer { directory.remove() }
        let catalog = try catalogWithItems(directory)
        #expect(try matching(catalog, .field("owner", .equals(.string("u1")))) == ["i0", "i2", "i4"])
        #expect(try matching(catalog, .field("tags", .equals(.string("sea")))) == ["i0", "i1"], "array contains")
        #expect(
            try matching(catalog, .field("tags", .oneOf([.string("city"), .string("sea")])))
                == ["i0", "i1", "i2", "i3", "i4"])
        let second = 1_704_067_200.0 + 86_400
        #expect(
            try matching(
                catalog,
                .field(
                    "taken_at",
                    .range(ItemFieldRange(atLeast: second, lessThan: second + 2 * 86_400), onTimestamps: true)))
                == ["i1", "i2"])
        #expect(
            try matching(catalog, .field("stars", .range(ItemFieldRange(greaterThan: 2), onTimestamps: false)))
                == ["i3", "i4"])
        #expect(
            try matching(catalog, .field("stars", .range(ItemFieldRange(greaterThan: 2), onTimestamps: true))) == [],
            "a timestamp range does not match numbers")
        #expect(try matching(catalog, .field("public", .equals(.boolean(true)))) == ["i0"])
        #expect(try matching(catalog, .field("owner", .exists(false))) == ["i5"])
        #expect(try matching(catalog, .not(.field("owner", .equals(.string("u1"))))) == ["i1", "i3", "i5"])
        #expect(
            try matching(
                catalog,
                .all([.field("owner", .equals(.string("u1"))), .field("tags", .equals(.string("city")))])) == [
                    "i2", "i4",
                ])
        #expect(
            try matching(
                catalog,
                .any([.field("stars", .equals(.number(1))), .captionLanguage(in: ["zh"])])) == ["i1", "i5"])
        #expect(
            try matching(
                catalog,
                .field("taken_at", .equals(.timestamp(seconds: 1_704_067_200, text: "2024-01-01T01:00:00+01:00"))))
                == ["i0"], "the same instant spelt otherwise")
        let now = Date().timeIntervalSince1970
        #expect(try matching(catalog, .ingestedAt(ItemFieldRange(atLeast: now - 3_600))).count == 6)
        #expect(try matching(catalog, .ingestedAt(ItemFieldRange(greaterThan: now + 3_600))) == [])
        #expect(try catalog.countItems(matching: .field("owner", .equals(.string("u2")))) == 2)
        #expect(try catalog.countItems(matching: nil) == 6)
    }

    @Test func allowedVectorsAreTheLiveVectorsOfMatchingItemsInOneSpace() throws {
        let directory = try ScratchDirectory("fields")
        defer { directory.remove() }
        let catalog = try catalogWithItems(directory)
        let u1 = try catalog.liveVectorIDs(space: "test-space", matching: .field("owner", .equals(.string("u1"))))
        #expect(u1.count == 3)
        let owners = try catalog.hits(vectorIDs: Array(u1))
        #expect(Set(owners.values.map(\.externalID)) == ["i0", "i2", "i4"])
        #expect(try catalog.liveVectorIDs(space: "other", matching: .field("owner", .equals(.string("u1")))).isEmpty)
        // A re-ingest tombstones the old vector: only the new one is allowed.
        var item = newItem("i0", hash: "h2")
        item.fields = ["owner": .string("u1")]
        guard case .updated(let ids, let tombstoned) = try catalog.upsertItem(item, vectors: [captionVector(9)]) else {
            Issue.record("expected an update")
            return
        }
        let after = try catalog.liveVectorIDs(space: "test-space", matching: .field("owner", .equals(.string("u1"))))
        #expect(after.contains(ids[0]) && !after.contains(tombstoned[0]))
    }

    @Test func aReingestReplacesTheFieldsAsAWhole() throws {
        let directory = try ScratchDirectory("fields")
        defer { directory.remove() }
        let catalog = try catalogWithItems(directory)
        var item = newItem("i0", hash: "h2")
        item.fields = ["album": .string("trip")]
        _ = try catalog.upsertItem(item, vectors: [captionVector(1)])
        #expect(try catalog.item(externalID: "i0")?.fields == ["album": .string("trip")])
        #expect(try matching(catalog, .field("owner", .equals(.string("u1")))) == ["i2", "i4"])
        #expect(
            try catalog.scalar(
                "SELECT count(*) FROM item_fields WHERE item_id = (SELECT id FROM items WHERE external_id = 'i0')") == 1
        )
    }

    @Test func pagesWalkEveryMatchingItemOnce() throws {
        let directory = try ScratchDirectory("fields")
        defer { directory.remove() }
        let catalog = try catalogWithItems(directory)
        var seen: [String] = []
        var after: Int64 = 0
        while true {
            let page = try catalog.items(matching: nil, after: after, limit: 4)
            guard let last = page.last else { break }
            seen += page.map(\.item.externalID)
            after = last.rowID
        }
        #expect(seen == ["i0", "i1", "i2", "i3", "i4", "i5"])
    }

    @Test func deletingByFilterRemovesTheItemsAndTombstonesTheirVectors() throws {
        let directory = try ScratchDirectory("fields")
        defer { directory.remove() }
        let catalog = try catalogWithItems(directory)
        let deleted = try catalog.deleteItems(matching: .field("owner", .equals(.string("u2"))))
        #expect(deleted.externalIDs == ["i1", "i3"])
        #expect(deleted.tombstoned.count == 2)
        #expect(try catalog.item(externalID: "i1") == nil)
        #expect(try catalog.countItems(matching: nil) == 4)
        #expect(try catalog.scalar("SELECT count(*) FROM item_fields WHERE text_value = 'u2'") == 0, "rows cascade")
        #expect(try catalog.tombstonedVectorIDs(space: "test-space") == Set(deleted.tombstoned))
        #expect(try catalog.deleteItems(matching: .field("owner", .equals(.string("u2")))).externalIDs.isEmpty)
    }

    @Test func similarReadsTheItemsLiveVectorsBySpace() throws {
        let directory = try ScratchDirectory("fields")
        defer { directory.remove() }
        let catalog = try catalogWithItems(directory)
        let vectors = try #require(try catalog.liveVectors(ofItem: "i2"))
        #expect(vectors.keys.sorted() == ["test-space"])
        #expect(vectors["test-space"]?.first?.vector == captionVector(2).vector)
        #expect(try catalog.liveVectors(ofItem: "missing") == nil)
    }
}
