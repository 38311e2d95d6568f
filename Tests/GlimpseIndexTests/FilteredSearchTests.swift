import GlimpseEvaluation
import GlimpseIndex
import Testing

/// Exact top-k by inner product among `allowed` ids only.
private func exactAllowedTopK(_ query: [Float], in data: ClusteredVectors, k: Int, allowed: Set<Int64>) -> [Int64] {
    exactTopK(query, in: data, k: k, excluding: Set(data.ids).subtracting(allowed))
}

/// One 20 000-vector index for the filtered-search tests (built once per run).
private enum FilteredFixture {
    static let dimension = 64
    static let data = ClusteredVectors(count: 20_000, dimension: dimension, seed: 41)
    static let queries: [[Float]] = ClusteredVectors(count: 40, dimension: dimension, seed: 41, pointSeed: 4_141).flat
        .chunked(dimension)
    static let index: Result<HNSWIndex, Error> = Result {
        let index = try HNSWIndex(dimension: dimension, parameters: HNSWParameters())
        try index.add(ids: data.ids, vectors: data.flat)
        return index
    }

    /// A random `fraction` of the ids, the same for a given seed.
    static func allowed(fraction: Double, seed: UInt64) -> Set<Int64> {
        var generator = SplitMix64(seed: seed)
        return Set(data.ids.filter { _ in Double.random(in: 0..<1, using: &generator) < fraction })
    }
}

/// `search(_:k:ef:allowing:)` returns only allowed ids, close to the exact filtered top 10 at any selectivity,
/// whichever strategy (graph or exact scan) the index picks or is forced to.
struct FilteredSearchTests {
    private func recall(
        _ index: HNSWIndex, fraction: Double, seed: UInt64
    ) throws -> (recall: Double, onlyAllowed: Bool) {
        let allowed = FilteredFixture.allowed(fraction: fraction, seed: seed)
        var found = 0
        var total = 0
        var onlyAllowed = true
        for query in FilteredFixture.queries {
            let hits = try index.search(query, k: 10, ef: 64, allowing: allowed)
            onlyAllowed = onlyAllowed && hits.allSatisfy { allowed.contains($0.id) }
            let exact = exactAllowedTopK(query, in: FilteredFixture.data, k: 10, allowed: allowed)
            #expect(hits.count == exact.count)
            found += Set(hits.map(\.id)).intersection(exact).count
            total += exact.count
        }
        return (Double(found) / Double(max(total, 1)), onlyAllowed)
    }

    @Test(arguments: [0.5, 0.1, 0.01, 0.001])
    func filteredRecallAtTenIsAtLeast95PercentOfBruteForce(fraction: Double) throws {
        let index = try FilteredFixture.index.get()
        let result = try recall(index, fraction: fraction, seed: 7)
        #expect(result.onlyAllowed)
        #expect(result.recall >= 0.95, "recall@10 at selectivity \(fraction) was \(result.recall)")
    }

    @Test(arguments: [0.5, 0.1, 0.01])
    func graphStrategyAloneKeepsRecallAtWidenedEf(fraction: Double) throws {
        let index = try HNSWIndex(dimension: FilteredFixture.dimension, parameters: HNSWParameters())
        try index.add(ids: FilteredFixture.data.ids, vectors: FilteredFixture.data.flat)
        index.setFilteredSearchStrategy(.graph)
        let result = try recall(index, fraction: fraction, seed: 11)
        #expect(result.onlyAllowed)
        #expect(result.recall >= 0.95, "graph-only recall@10 at selectivity \(fraction) was \(result.recall)")
    }

    @Test func exactScanStrategyMatchesBruteForceExactly() throws {
        let index = try SharedIndexFixture.index.get()
        let data = SharedIndexFixture.data
        var generator = SplitMix64(seed: 3)
        let allowed = Set(data.ids.filter { _ in Double.random(in: 0..<1, using: &generator) < 0.02 })
        for query in SharedIndexFixture.queries.prefix(10) {
            let hits = try index.search(query, k: 10, ef: 64, allowing: allowed)
            #expect(hits.map(\.id) == exactAllowedTopK(query, in: data, k: 10, allowed: allowed))
        }
    }

    @Test func deletedIDsAreNeverReturnedEvenWhenAllowed() throws {
        let data = ClusteredVectors(count: 2_000, dimension: 16, seed: 9)
        let index = try HNSWIndex(dimension: 16, parameters: HNSWParameters(m: 8, efSearchDefault: 16))
        try index.add(ids: data.ids, vectors: data.flat)
        let query = data.vector(0)
        let nearest = try index.search(query, k: 10, ef: 64).map(\.id)
        try index.markDeleted(nearest.prefix(5))
        for allowing in [Set(nearest), Set(data.ids)] as [Set<Int64>] {
            for strategy in [HNSWIndex.FilteredSearchStrategy.graph, .exactScan, .automatic] {
                index.setFilteredSearchStrategy(strategy)
                let hits = try index.search(query, k: 10, ef: 64, allowing: allowing)
                #expect(hits.allSatisfy { !nearest.prefix(5).contains($0.id) })
                #expect(hits.allSatisfy { allowing.contains($0.id) })
            }
        }
    }

    @Test func anEmptyOrUnknownAllowedSetReturnsNothing() throws {
        let index = try SharedIndexFixture.index.get()
        let query = SharedIndexFixture.queries[0]
        #expect(try index.search(query, k: 10, ef: 64, allowing: []).isEmpty)
        #expect(try index.search(query, k: 10, ef: 64, allowing: [-1, 2]).isEmpty)
        #expect(try index.search(query, k: 10, ef: 64, allowing: nil).count == 10)
    }

    @Test func excludingStillAppliesInsideTheAllowedSet() throws {
        let index = try SharedIndexFixture.index.get()
        let query = SharedIndexFixture.queries[2]
        let allowed = Set(SharedIndexFixture.data.ids.prefix(50))
        let first = try index.search(query, k: 5, ef: 64, allowing: allowed).map(\.id)
        let second = try index.search(query, k: 5, ef: 64, excluding: Set(first), allowing: allowed)
        #expect(second.count == 5)
        #expect(second.allSatisfy { allowed.contains($0.id) && !first.contains($0.id) })
    }
}
