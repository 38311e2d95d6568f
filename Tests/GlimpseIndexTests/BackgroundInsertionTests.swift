import GlimpseIndex
import Testing

/// A rebuild inserts on one low-priority thread; the graph it builds must be as good as a foreground build.
struct BackgroundInsertionTests {
    @Test func backgroundInsertionBuildsAGraphAsGoodAsAForegroundOne() throws {
        let dimension = 32
        let data = ClusteredVectors(count: 6_000, dimension: dimension, clusters: 200, spread: 1.5, seed: 41)
        let queries = ClusteredVectors(
            count: 100, dimension: dimension, clusters: 200, spread: 1.5, seed: 41, pointSeed: 4_141
        )
        .flat.chunked(dimension)
        let truth = queries.map { fastExactTopTen($0, in: data) }
        var recalls: [Double] = []
        for insertion in [HNSWIndex.Insertion.foreground, .background(threads: 1)] {
            let index = try HNSWIndex(dimension: dimension, parameters: HNSWParameters())
            index.setInsertion(insertion)
            // Pages like the catalog replay's, large enough to take the threaded path.
            for start in stride(from: 0, to: data.count, by: 2_000) {
                try index.add(
                    ids: Array(data.ids[start..<start + 2_000]),
                    vectors: Array(data.flat[start * dimension..<(start + 2_000) * dimension]))
            }
            #expect(index.count == data.count)
            recalls.append(try recallAtK(index, queries: queries, truth: truth, k: 10, ef: 32))
        }
        #expect(recalls[1] >= recalls[0] - 0.01, "recall@10 foreground, background: \(recalls)")
        #expect(recalls[0] >= 0.8, "recall@10 foreground, background: \(recalls)")
    }
}
