import Foundation
import GlimpseTestSupport
import Testing

@testable import GlimpseCatalog

/// Photo facts on items (migration 0007): stored with the item, replaced or cleared by a changing upsert, left by
/// an unchanged one, read back with items, listings and by external id, and filtered as built-ins.
@Suite struct PhotoFactsStorageTests {
    static let may2024: Double = 1_714_521_600  // 2024-05-01T00:00:00Z

    /// p0–p3 with facts (taken one day apart from 2024-05-01 except p3, which has no capture time; widths 100, 200,
    /// 300, 400; heights 50 each), p4 without facts.
    private func catalogWithPhotos(_ directory: ScratchDirectory) throws -> Catalog {
        let catalog = try Catalog(CatalogConfiguration(path: directory.databasePath))
        for index in 0..<5 {
            var item = newItem("p\(index)")
            if index < 4 {
                item.photo = ItemPhotoFacts(
                    takenAt: index < 3 ? Self.may2024 + Double(index) * 86_400 : nil,
                    utcOffset: index == 0 ? "+08:00" : nil, width: 100 * (index + 1), height: 50)
            }
            _ = try catalog.upsertItem(item, vectors: [captionVector(Float(index))])
        }
        return catalog
    }

    private func matching(_ catalog: Catalog, _ filter: ItemFilter) throws -> [String] {
        try catalog.items(matching: filter, after: 0, limit: 100).map(\.item.externalID)
    }

    @Test func factsAreStoredReadBackReplacedAndCleared() throws {
        let directory = try ScratchDirectory("photo-facts")
        defer { directory.remove() }
        let catalog = try catalogWithPhotos(directory)
        #expect(
            try catalog.item(externalID: "p0")?.photo
                == ItemPhotoFacts(takenAt: Self.may2024, utcOffset: "+08:00", width: 100, height: 50))
        #expect(try catalog.item(externalID: "p4")?.photo == nil)
        #expect(
            try catalog.items(matching: nil, after: 0, limit: 10).map(\.item.photo?.width) == [100, 200, 300, 400, nil])
        let byID = try catalog.photoFacts(externalIDs: ["p1", "p3", "p4", "missing"])
        #expect(byID.keys.sorted() == ["p1", "p3"])
        #expect(byID["p3"] == ItemPhotoFacts(takenAt: nil, utcOffset: nil, width: 400, height: 50))

        // The same content hash: nothing written, the facts stay even if the new ones differ.
        var same = newItem("p0")
        same.photo = ItemPhotoFacts(takenAt: nil, utcOffset: nil, width: 1, height: 1)
        #expect(try catalog.upsertItem(same, vectors: [captionVector(9)]) == .unchanged)
        #expect(try catalog.item(externalID: "p0")?.photo?.width == 100)

        // A changed item gets the new facts; a changed item whose facts could not be read loses the old ones.
        var changed = newItem("p0", hash: "h2")
        changed.photo = ItemPhotoFacts(takenAt: 86_400, utcOffset: "-05:30", width: 640, height: 480)
        _ = try catalog.upsertItem(changed, vectors: [captionVector(10)])
        #expect(try catalog.item(externalID: "p0")?.photo == changed.photo)
        _ = try catalog.upsertItem(newItem("p1", hash: "h2"), vectors: [captionVector(11)])
        #expect(try catalog.item(externalID: "p1")?.photo == nil)
    }

    @Test func builtInFiltersOnCaptureTimeAndSize() throws {
        let directory = try ScratchDirectory("photo-facts")
        defer { directory.remove() }
        let catalog = try catalogWithPhotos(directory)
        let day = 86_400.0
        #expect(
            try matching(catalog, .photo(.takenAt, ItemFieldRange(atLeast: Self.may2024 + day))) == ["p1", "p2"])
        #expect(
            try matching(
                catalog, .photo(.takenAt, ItemFieldRange(greaterThan: Self.may2024, lessThan: Self.may2024 + 2 * day)))
                == ["p1"])
        #expect(try matching(catalog, .photo(.takenAt, ItemFieldRange())) == ["p0", "p1", "p2"], "exists")
        #expect(try matching(catalog, .not(.photo(.takenAt, ItemFieldRange()))) == ["p3", "p4"], "exists: false")
        #expect(try matching(catalog, .photo(.width, ItemFieldRange(atLeast: 200, atMost: 300))) == ["p1", "p2"])
        #expect(try matching(catalog, .photo(.width, ItemFieldRange(atLeast: 400, atMost: 400))) == ["p3"])
        #expect(try matching(catalog, .photo(.height, ItemFieldRange(lessThan: 50))) == [])
        #expect(try matching(catalog, .photo(.height, ItemFieldRange())) == ["p0", "p1", "p2", "p3"])
        #expect(try catalog.countItems(matching: .photo(.width, ItemFieldRange(greaterThan: 100))) == 3)
        // The allowed vectors of a filtered index search.
        #expect(
            try catalog.liveVectorIDs(space: "test-space", matching: .photo(.width, ItemFieldRange(atMost: 100))).count
                == 1)
    }
}
