import GlimpseIndex

/// One 5 000-vector index shared by the read-only tests, so the graph is built once per test run.
enum SharedIndexFixture {
    static let dimension = 64
    static let k = 10
    static let data = ClusteredVectors(count: 5_000, dimension: dimension, seed: 7)
    static let queries: [[Float]] = ClusteredVectors(count: 100, dimension: dimension, seed: 7, pointSeed: 7_007).flat
        .chunked(dimension)
    static let truth: [[Int64]] = queries.map { exactTopK($0, in: data, k: k) }
    /// Queries around other cluster centres: far from every stored cluster, so the graph search has to work
    /// harder and recall visibly depends on ef.
    static let hardQueries: [[Float]] = ClusteredVectors(count: 100, dimension: dimension, seed: 7_007).flat
        .chunked(dimension)
    static let hardTruth: [[Int64]] = hardQueries.map { exactTopK($0, in: data, k: k) }

    static let index: Result<HNSWIndex, Error> = Result {
        let index = try HNSWIndex(dimension: dimension, parameters: HNSWParameters())
        try index.add(ids: data.ids, vectors: data.flat)
        return index
    }
}

extension Array {
    func chunked(_ size: Int) -> [[Element]] {
        stride(from: 0, to: count, by: size).map { Array(self[$0..<Swift.min($0 + size, count)]) }
    }
}
