import GlimpseIndex
import Testing

/// The service searches from many tasks while its ingest worker adds; that must neither crash nor corrupt.
struct ConcurrencyTests {
    @Test func concurrentSearchesWhileAddingGiveSaneResults() async throws {
        let dimension = 32
        let data = ClusteredVectors(count: 3_000, dimension: dimension, seed: 21)
        let index = try HNSWIndex(dimension: dimension, parameters: HNSWParameters(m: 16, efConstruction: 100))
        try index.add(ids: Array(data.ids.prefix(500)), vectors: Array(data.flat.prefix(500 * dimension)))
        let allIDs = Set(data.ids)

        try await withThrowingTaskGroup(of: Int.self) { group in
            group.addTask {
                for start in stride(from: 500, to: data.count, by: 250) {
                    let end = min(start + 250, data.count)
                    try index.add(
                        ids: Array(data.ids[start..<end]),
                        vectors: Array(data.flat[start * dimension..<end * dimension]))
                }
                return 0
            }
            for worker in 0..<4 {
                group.addTask {
                    var checked = 0
                    for round in 0..<60 {
                        let query = data.vector((worker * 131 + round * 17) % 500)
                        let hits = try index.search(
                            query, k: 10, ef: 32 + round % 64, excluding: [ClusteredVectors.id(1)])
                        #expect(hits.count == 10)
                        #expect(hits.map(\.score) == hits.map(\.score).sorted(by: >))
                        #expect(hits.allSatisfy { allIDs.contains($0.id) && $0.id != ClusteredVectors.id(1) })
                        #expect(Set(hits.map(\.id)).count == hits.count)
                        checked += 1
                    }
                    return checked
                }
            }
            var searches = 0
            for try await checked in group { searches += checked }
            #expect(searches == 240)
        }
        #expect(index.count == data.count)
        for i in stride(from: 0, to: data.count, by: 97) {
            #expect(try index.search(data.vector(i), k: 1, ef: 64).first?.id == ClusteredVectors.id(i))
        }
    }
}
