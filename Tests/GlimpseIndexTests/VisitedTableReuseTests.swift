import GlimpseIndex
import Testing

/// Searches reuse one visited table per thread instead of allocating one per search; reuse must never leak
/// one search's marks into the next, whatever index the thread searched before.
struct VisitedTableReuseTests {
    @Test func repeatedSearchesAcrossIndexesOfDifferentSizesReturnTheSameHits() throws {
        let dimension = 16
        let small = ClusteredVectors(count: 300, dimension: dimension, seed: 21)
        let large = ClusteredVectors(count: 4_000, dimension: dimension, seed: 22)
        let smallIndex = try HNSWIndex(dimension: dimension, parameters: HNSWParameters())
        try smallIndex.add(ids: small.ids, vectors: small.flat)
        let largeIndex = try HNSWIndex(dimension: dimension, parameters: HNSWParameters())
        try largeIndex.add(ids: large.ids, vectors: large.flat)
        let query = large.vector(17)

        let firstLarge = try largeIndex.search(query, k: 10, ef: 64)
        let firstSmall = try smallIndex.search(query, k: 10, ef: 64)
        #expect(firstLarge.first?.id == ClusteredVectors.id(17))
        // More searches than a visited table has round numbers (249), so its reset happens in between.
        for round in 0..<600 {
            let hits =
                round.isMultiple(of: 2)
                ? try largeIndex.search(query, k: 10, ef: 64) : try smallIndex.search(query, k: 10, ef: 64)
            #expect(hits == (round.isMultiple(of: 2) ? firstLarge : firstSmall), "round \(round)")
        }
    }

    @Test func anIndexThatGrewIsSearchedCompletely() throws {
        let dimension = 16
        let data = ClusteredVectors(count: 2_000, dimension: dimension, seed: 23)
        let index = try HNSWIndex(dimension: dimension, parameters: HNSWParameters())
        try index.add(ids: Array(data.ids[0..<100]), vectors: Array(data.flat[0..<100 * dimension]))
        _ = try index.search(data.vector(5), k: 10, ef: 64)
        try index.add(ids: Array(data.ids[100...]), vectors: Array(data.flat[(100 * dimension)...]))
        // The newest vectors live beyond the table's first size; each must be found as its own nearest.
        for i in stride(from: 100, to: 2_000, by: 97) {
            #expect(try index.search(data.vector(i), k: 1, ef: 64).first?.id == ClusteredVectors.id(i))
        }
    }
}
