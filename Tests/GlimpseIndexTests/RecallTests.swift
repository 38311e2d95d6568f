import GlimpseIndex
import Testing

/// Accuracy against exact brute-force inner product, the property HNSW trades speed for.
struct RecallTests {
    @Test func recallAtTenIsAtLeast95PercentAtDefaultEF() throws {
        let index = try SharedIndexFixture.index.get()
        let recall = try recallAtK(
            index, queries: SharedIndexFixture.queries, truth: SharedIndexFixture.truth, k: SharedIndexFixture.k,
            ef: HNSWParameters().efSearchDefault)
        #expect(recall >= 0.95, "recall@10 at default ef was \(recall)")
    }

    @Test func higherEFNeverLowersRecall() throws {
        let index = try SharedIndexFixture.index.get()
        let recalls = try [10, 32, 128, 512].map { ef in
            try recallAtK(
                index, queries: SharedIndexFixture.hardQueries, truth: SharedIndexFixture.hardTruth,
                k: SharedIndexFixture.k, ef: ef)
        }
        // Graph search is not strictly monotone per query, so allow a hair of noise between neighbours,
        // but the per-call ef must matter: the widest search has to beat the narrowest.
        for (lower, higher) in zip(recalls, recalls.dropFirst()) {
            #expect(higher >= lower - 0.005, "recalls by ef: \(recalls)")
        }
        #expect(recalls[3] > recalls[0], "recalls by ef: \(recalls)")
        #expect(recalls[3] >= 0.95, "recalls by ef: \(recalls)")
    }

    @Test func scoresAreInnerProductsBestFirst() throws {
        let index = try SharedIndexFixture.index.get()
        let data = SharedIndexFixture.data
        let query = SharedIndexFixture.queries[0]
        let hits = try index.search(query, k: 20, ef: 64)
        #expect(hits.count == 20)
        #expect(hits.map(\.score) == hits.map(\.score).sorted(by: >))
        for hit in hits {
            let position = Int((hit.id - 1_000) / 3)
            #expect(abs(hit.score - dot(query, data.vector(position))) < 1e-4)
        }
    }

    @Test func storedVectorFindsItselfFirst() throws {
        let index = try SharedIndexFixture.index.get()
        for i in stride(from: 0, to: SharedIndexFixture.data.count, by: 499) {
            let hits = try index.search(SharedIndexFixture.data.vector(i), k: 1, ef: 64)
            #expect(hits.first?.id == ClusteredVectors.id(i))
        }
    }

    @Test func kLargerThanTheIndexReturnsEveryVector() throws {
        let index = try HNSWIndex(dimension: 8, parameters: HNSWParameters())
        let data = ClusteredVectors(count: 30, dimension: 8, seed: 3)
        try index.add(ids: data.ids, vectors: data.flat)
        let hits = try index.search(data.vector(0), k: 100, ef: 16)
        #expect(Set(hits.map(\.id)) == Set(data.ids))
    }

    @Test func emptyIndexReturnsNoHits() throws {
        let index = try HNSWIndex(dimension: 8, parameters: HNSWParameters())
        #expect(index.count == 0)
        #expect(try index.search([Float](repeating: 0.5, count: 8), k: 5, ef: 16).isEmpty)
    }
}
