import Foundation
import GlimpseIndex
import GlimpseTestSupport
import Testing

/// An index storing 8-bit scalar-quantised vectors (`index_vector_encoding = sq8`) finds nearly what the float32
/// brute force finds, snapshots and reloads to the same results, refuses snapshots of the other encoding, and
/// keeps filtered search and deletion marks working.
struct ScalarQuantizedIndexTests {
    static let dimension = 64
    static let sq8 = HNSWParameters(vectorEncoding: .sq8)

    /// Float32 ground truth for queries drawn from the data's distribution.
    private func workload(count: Int, queries: Int, seed: UInt64) -> (ClusteredVectors, [[Float]], [[Int64]]) {
        let data = ClusteredVectors(count: count, dimension: Self.dimension, seed: seed)
        let queryData = ClusteredVectors(count: queries, dimension: Self.dimension, seed: seed, pointSeed: seed + 1)
        let queryVectors = (0..<queries).map(queryData.vector)
        return (data, queryVectors, queryVectors.map { exactTopK($0, in: data, k: 10) })
    }

    private func results(_ index: HNSWIndex, _ queries: [[Float]]) throws -> [[SearchHit]] {
        try queries.map { try index.search($0, k: 10, ef: index.parameters.efSearchDefault) }
    }

    @Test func sq8RecallAtTenAgainstFloatBruteForceIsAtLeast095AtTheDefaultEf() throws {
        let (data, queries, truth) = workload(count: 8_000, queries: 200, seed: 41)
        let index = try HNSWIndex(dimension: Self.dimension, parameters: Self.sq8)
        try index.add(ids: data.ids, vectors: data.flat)
        let recall = try recallAtK(index, queries: queries, truth: truth, k: 10, ef: Self.sq8.efSearchDefault)
        #expect(recall >= 0.95, "sq8 recall@10 \(recall)")
        #expect(index.parameters.vectorEncoding == .sq8)
        #expect(index.vectorBytesPerVector == Self.dimension)
    }

    @Test func sq8ScoresStayCloseToTheFloatInnerProducts() throws {
        let (data, queries, _) = workload(count: 2_000, queries: 20, seed: 42)
        let index = try HNSWIndex(dimension: Self.dimension, parameters: Self.sq8)
        try index.add(ids: data.ids, vectors: data.flat)
        for query in queries {
            for hit in try index.search(query, k: 10, ef: 64) {
                let exact = dot(query, data.vector(Int(hit.id - 1_000) / 3))
                #expect(abs(hit.score - exact) < 0.02, "score \(hit.score) vs \(exact)")
            }
        }
    }

    @Test func smallFirstAddUsesTheUnitRangeAndFindsEachVector() throws {
        let data = ClusteredVectors(count: 300, dimension: Self.dimension, seed: 43)
        let index = try HNSWIndex(dimension: Self.dimension, parameters: Self.sq8)
        try index.add(ids: data.ids, vectors: data.flat)
        for i in stride(from: 0, to: data.count, by: 7) {
            #expect(try index.search(data.vector(i), k: 1, ef: 64).first?.id == ClusteredVectors.id(i))
        }
    }

    @Test func sq8SnapshotWithSegmentsReloadsToIdenticalResults() throws {
        let (data, queries, _) = workload(count: 3_000, queries: 50, seed: 44)
        let index = try HNSWIndex(dimension: Self.dimension, parameters: Self.sq8)
        try index.add(ids: Array(data.ids[..<2_000]), vectors: Array(data.flat[..<(2_000 * Self.dimension)]))
        let scratch = try ScratchDirectory("sq8")
        defer { scratch.remove() }
        let url = scratch.file("space.hnsw")
        try index.write(to: url, watermark: 1)
        let base = try Data(contentsOf: url)
        // Later adds reuse the trained ranges (the last one clips nothing: same distribution) and are appended.
        try index.add(ids: Array(data.ids[2_000...]), vectors: Array(data.flat[(2_000 * Self.dimension)...]))
        try index.write(to: url, watermark: 2)
        #expect(try Data(contentsOf: url) == base, "the base was rewritten instead of appending a segment")

        let load = try HNSWIndex.load(from: url, vectorEncoding: .sq8)
        #expect(load.segmentsApplied == 1)
        #expect(load.watermark == 2)
        #expect(load.index.parameters.vectorEncoding == .sq8)
        #expect(load.index.count == 3_000)
        #expect(try results(load.index, queries) == results(index, queries))
    }

    @Test func rangesTrainedAfterAnEmptySnapshotForceAFullSnapshot() throws {
        let (data, queries, _) = workload(count: 1_500, queries: 20, seed: 45)
        let index = try HNSWIndex(dimension: Self.dimension, parameters: Self.sq8)
        let scratch = try ScratchDirectory("sq8")
        defer { scratch.remove() }
        let url = scratch.file("space.hnsw")
        try index.write(to: url, watermark: 0)
        try index.add(ids: data.ids, vectors: data.flat)
        try index.write(to: url, watermark: 1)
        let (loaded, watermark) = try HNSWIndex.read(from: url)
        #expect(watermark == 1)
        #expect(try results(loaded, queries) == results(index, queries))
    }

    @Test func snapshotOfOneEncodingIsRefusedAsTheOther() throws {
        let data = ClusteredVectors(count: 1_200, dimension: Self.dimension, seed: 46)
        let scratch = try ScratchDirectory("sq8")
        defer { scratch.remove() }
        for (written, expected): (HNSWParameters.VectorEncoding, HNSWParameters.VectorEncoding) in [
            (.sq8, .float32), (.float32, .sq8),
        ] {
            let index = try HNSWIndex(dimension: Self.dimension, parameters: HNSWParameters(vectorEncoding: written))
            try index.add(ids: data.ids, vectors: data.flat)
            let url = scratch.file("\(written).hnsw")
            try index.write(to: url, watermark: 1)
            do {
                _ = try HNSWIndex.read(from: url, vectorEncoding: expected)
                Issue.record("a \(written) snapshot loaded as \(expected)")
            } catch HNSWIndexError.corruptSnapshot(let message) {
                #expect(message.contains("holds \(written)"), "\(message)")
                #expect(message.contains("configured for \(expected)"), "\(message)")
            }
            // Without an expectation the snapshot loads as what it holds.
            #expect(try HNSWIndex.read(from: url).0.parameters.vectorEncoding == written)
        }
    }

    @Test func filteredSearchAndDeletionMarksWorkOnSQ8() throws {
        let (data, queries, _) = workload(count: 6_000, queries: 40, seed: 47)
        let index = try HNSWIndex(dimension: Self.dimension, parameters: Self.sq8)
        try index.add(ids: data.ids, vectors: data.flat)
        let deleted = Set(data.ids.enumerated().filter { $0.offset % 10 == 0 }.map(\.element))
        try index.markDeleted(deleted)
        // A large allowed set (graph search) and a small one (exact scan over the codes), both holding deleted ids.
        for (strategy, modulus) in [(HNSWIndex.FilteredSearchStrategy.graph, 2), (.exactScan, 25)] {
            index.setFilteredSearchStrategy(strategy)
            let allowed = Set(data.ids.enumerated().filter { $0.offset % modulus == 0 }.map(\.element))
            var found = 0
            for query in queries {
                let hits = try index.search(query, k: 10, ef: 64, allowing: allowed)
                #expect(hits.count == 10)
                #expect(hits.allSatisfy { allowed.contains($0.id) && !deleted.contains($0.id) })
                let truth = exactTopK(
                    query, in: data, k: 10, excluding: Set(data.ids).subtracting(allowed).union(deleted))
                found += Set(hits.map(\.id)).intersection(truth).count
            }
            let recall = Double(found) / Double(queries.count * 10)
            #expect(recall >= 0.9, "\(strategy) filtered sq8 recall@10 \(recall)")
        }
    }

    @Test func faissStockImplementationRefusesSQ8() {
        #expect(throws: HNSWIndexError.self) {
            _ = try HNSWIndex(dimension: Self.dimension, parameters: Self.sq8, implementation: .faissStock)
        }
    }
}
