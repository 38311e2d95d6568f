import GlimpseEvaluation
import GlimpseIndex
import Testing

/// Tombstoned vectors stay in the graph; searches must skip them yet still return k hits.
struct ExclusionTests {
    @Test func excludedIDsAreNeverReturnedAndResultsStayFull() throws {
        let index = try SharedIndexFixture.index.get()
        let data = SharedIndexFixture.data
        var generator = SplitMix64(seed: 99)
        // A random 30% of everything plus each query's true nearest neighbours: the hardest case for the graph.
        var excluded = Set(data.ids.filter { _ in Double.random(in: 0..<1, using: &generator) < 0.3 })
        for exact in SharedIndexFixture.truth.prefix(20) { excluded.formUnion(exact) }

        var found = 0
        for query in SharedIndexFixture.queries.prefix(20) {
            let hits = try index.search(query, k: 10, ef: 64, excluding: excluded)
            #expect(hits.count == 10)
            #expect(hits.allSatisfy { !excluded.contains($0.id) })
            let exact = exactTopK(query, in: data, k: 10, excluding: excluded)
            found += Set(hits.map(\.id)).intersection(exact).count
        }
        #expect(Double(found) / 200 >= 0.9, "recall among allowed vectors was \(Double(found) / 200)")
    }

    @Test func excludingAlmostEverythingReturnsTheRest() throws {
        let index = try HNSWIndex(
            dimension: 16, parameters: HNSWParameters(m: 8, efSearchDefault: 16, efSearchMax: 2_000))
        let data = ClusteredVectors(count: 1_000, dimension: 16, seed: 5)
        try index.add(ids: data.ids, vectors: data.flat)
        let kept = Set(data.ids.suffix(3))
        let hits = try index.search(data.vector(0), k: 10, ef: 16, excluding: Set(data.ids).subtracting(kept))
        #expect(Set(hits.map(\.id)) == kept)
    }

    @Test func unknownExcludedIDsAreIgnored() throws {
        let index = try SharedIndexFixture.index.get()
        let query = SharedIndexFixture.queries[1]
        let plain = try index.search(query, k: 10, ef: 64)
        let withUnknown = try index.search(query, k: 10, ef: 64, excluding: [-5, 1, 999_999_999])
        #expect(plain == withUnknown)
    }
}
