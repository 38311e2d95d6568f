import GlimpseEvaluation
import GlimpseIndex
import Testing

/// Vectors marked deleted stay in the graph as waypoints but no search returns them, without the caller
/// passing them on every search.
struct DeletionMarkTests {
    private func smallIndex() throws -> (HNSWIndex, ClusteredVectors) {
        let data = ClusteredVectors(count: 2_000, dimension: 16, seed: 21)
        let index = try HNSWIndex(dimension: 16, parameters: HNSWParameters(m: 8, efSearchDefault: 16))
        try index.add(ids: data.ids, vectors: data.flat)
        return (index, data)
    }

    @Test func markedVectorsAreNeverReturnedAndResultsStayFull() throws {
        let (index, data) = try smallIndex()
        var generator = SplitMix64(seed: 5)
        var deleted = Set(data.ids.filter { _ in Double.random(in: 0..<1, using: &generator) < 0.3 })
        let queries = (0..<20).map { data.vector($0 * 50) }
        for query in queries { deleted.formUnion(exactTopK(query, in: data, k: 10)) }
        try index.markDeleted(deleted)
        #expect(index.deletedCount == deleted.count)
        var found = 0
        for query in queries {
            let hits = try index.search(query, k: 10, ef: 64)
            #expect(hits.count == 10)
            #expect(hits.allSatisfy { !deleted.contains($0.id) })
            found += Set(hits.map(\.id)).intersection(exactTopK(query, in: data, k: 10, excluding: deleted)).count
        }
        #expect(Double(found) / 200 >= 0.9, "recall among live vectors was \(Double(found) / 200)")
    }

    @Test func markingTwiceCountsOnceAndUnmarkingBringsTheVectorBack() throws {
        let (index, data) = try smallIndex()
        let query = data.vector(3)
        let top = try index.search(query, k: 1, ef: 32)[0].id
        try index.markDeleted([top, top])
        try index.markDeleted([top])
        #expect(index.deletedCount == 1)
        #expect(try index.search(query, k: 10, ef: 32).allSatisfy { $0.id != top })
        try index.unmarkDeleted([top])
        #expect(index.deletedCount == 0)
        #expect(try index.search(query, k: 1, ef: 32)[0].id == top)
    }

    @Test func anIDMarkedBeforeItsAddIsDeletedOnArrival() throws {
        let data = ClusteredVectors(count: 300, dimension: 16, seed: 22)
        let index = try HNSWIndex(dimension: 16, parameters: HNSWParameters(m: 8, efSearchDefault: 16))
        try index.add(ids: Array(data.ids.prefix(200)), vectors: Array(data.flat.prefix(200 * 16)))
        let late = data.ids[250]
        try index.markDeleted([late])
        #expect(index.deletedCount == 0)
        try index.add(ids: Array(data.ids.suffix(100)), vectors: Array(data.flat.suffix(100 * 16)))
        #expect(index.deletedCount == 1)
        let hits = try index.search(data.vector(250), k: 10, ef: 64)
        #expect(hits.count == 10)
        #expect(!hits.contains { $0.id == late })
    }

    @Test func perCallExclusionsAddToTheMarks() throws {
        let (index, data) = try smallIndex()
        let query = data.vector(7)
        let first = try index.search(query, k: 4, ef: 64).map(\.id)
        try index.markDeleted(first.prefix(2))
        let hits = try index.search(query, k: 10, ef: 64, excluding: Set(first.suffix(2)))
        #expect(hits.count == 10)
        #expect(hits.allSatisfy { !first.contains($0.id) })
    }
}
