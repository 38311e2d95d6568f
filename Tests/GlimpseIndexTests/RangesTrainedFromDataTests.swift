import Foundation
import GlimpseIndex
import GlimpseTestSupport
import Testing

/// `rangesTrainedFromData` tells an sq8 index trained by its first add (at least 1,000 vectors) from one left at
/// [-1, 1] (a smaller first add), and keeps telling it after a snapshot round trip: the service's automatic sq8
/// retrain relies on it not to rebuild again at every restart.
struct RangesTrainedFromDataTests {
    static let dimension = 32

    private func roundTrip(_ index: HNSWIndex) throws -> HNSWIndex {
        let directory = try ScratchDirectory("ranges").url
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("index.snapshot")
        try index.write(to: url, watermark: 7)
        let (loaded, watermark) = try HNSWIndex.read(from: url, vectorEncoding: .sq8)
        #expect(watermark == 7)
        return loaded
    }

    @Test func aSmallFirstAddLeavesDefaultRangesAndALargeOneTrainsThem() throws {
        let data = ClusteredVectors(count: 1_200, dimension: Self.dimension, seed: 5)
        let small = try HNSWIndex(dimension: Self.dimension, parameters: HNSWParameters(vectorEncoding: .sq8))
        #expect(!small.rangesTrainedFromData, "an empty index")
        try small.add(ids: Array(data.ids.prefix(50)), vectors: Array(data.flat.prefix(50 * Self.dimension)))
        #expect(!small.rangesTrainedFromData, "50 vectors leave [-1, 1]")
        // Later adds never retrain, however many.
        try small.add(ids: Array(data.ids.dropFirst(50)), vectors: Array(data.flat.dropFirst(50 * Self.dimension)))
        #expect(!small.rangesTrainedFromData)
        #expect(!(try roundTrip(small)).rangesTrainedFromData)

        let large = try HNSWIndex(dimension: Self.dimension, parameters: HNSWParameters(vectorEncoding: .sq8))
        try large.add(ids: data.ids, vectors: data.flat)
        #expect(large.rangesTrainedFromData, "1,200 vectors in the first add train the ranges")
        #expect(try roundTrip(large).rangesTrainedFromData, "the trained ranges are in the snapshot")

        let float = try HNSWIndex(dimension: Self.dimension, parameters: HNSWParameters())
        try float.add(ids: data.ids, vectors: data.flat)
        #expect(!float.rangesTrainedFromData, "float32 has no ranges")
    }
}
