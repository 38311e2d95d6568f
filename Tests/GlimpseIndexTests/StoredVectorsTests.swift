import Foundation
import GlimpseIndex
import Testing

/// `storedVectors(ids:)` gives back what the index holds for each id: the added floats themselves for float32
/// (searches re-score their hits with them instead of reading the catalog), decoded 8-bit values for sq8, nil for
/// an id it never had.
struct StoredVectorsTests {
    static let dimension = 24

    @Test func float32RowsComeBackExactlyInTheOrderAskedAndUnknownIdsAreNil() throws {
        let data = ClusteredVectors(count: 300, dimension: Self.dimension, seed: 21)
        let index = try HNSWIndex(dimension: Self.dimension, parameters: HNSWParameters())
        try index.add(ids: data.ids, vectors: data.flat)
        #expect(index.storesExactVectors)
        let asked: [Int64] = [ClusteredVectors.id(299), 7, ClusteredVectors.id(0), ClusteredVectors.id(150)]
        let rows = try index.storedVectors(ids: asked)
        #expect(rows.count == 4)
        #expect(rows[0] == data.vector(299))
        #expect(rows[1] == nil, "id 7 was never added")
        #expect(rows[2] == data.vector(0))
        #expect(rows[3] == data.vector(150))
        #expect(try index.storedVectors(ids: []).isEmpty)

        // Marked deleted: still stored (a search drops such hits itself), and still returned.
        try index.markDeleted([ClusteredVectors.id(150)])
        #expect(try index.storedVectors(ids: [ClusteredVectors.id(150)]) == [data.vector(150)])

        // The same after a snapshot round trip.
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("stored-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("index.snapshot")
        try index.write(to: url, watermark: 1)
        let (loaded, _) = try HNSWIndex.read(from: url)
        #expect(try loaded.storedVectors(ids: [ClusteredVectors.id(42)]) == [data.vector(42)])
    }

    @Test func sq8RowsComeBackWithinOneQuantisationStep() throws {
        let data = ClusteredVectors(count: 1_200, dimension: Self.dimension, seed: 22)
        let index = try HNSWIndex(dimension: Self.dimension, parameters: HNSWParameters(vectorEncoding: .sq8))
        try index.add(ids: data.ids, vectors: data.flat)
        #expect(!index.storesExactVectors)
        let rows = try index.storedVectors(ids: [ClusteredVectors.id(5), ClusteredVectors.id(900)])
        for (row, original) in zip(rows, [data.vector(5), data.vector(900)]) {
            let row = try #require(row)
            #expect(row != original, "8-bit codes are not the floats")
            // Trained ranges span at most [-1, 1], so one of 255 steps is below 2/255.
            let worst = zip(row, original).map { abs($0 - $1) }.max() ?? .infinity
            #expect(worst <= 2 / 255, "worst component error \(worst)")
        }
    }
}
