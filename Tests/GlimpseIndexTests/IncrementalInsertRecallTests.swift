import Foundation
import GlimpseEvaluation
import GlimpseTestSupport
import Testing

@testable import GlimpseIndex

/// A graph grown the way the daemon grows it (API-sized adds, a snapshot written and read back in between, as a
/// restart does) must search as well as one built from the same vectors in one go.
struct IncrementalInsertRecallTests {
    /// 32 dimensions keep 2 × 20,000 insertions within seconds; the data is spread wide enough around its
    /// centres that recall at the default ef stays visibly below 1, so a worse graph shows.
    static let dimension = 32
    static let count = 20_000
    static let data = ClusteredVectors(count: count, dimension: dimension, clusters: 500, spread: 2.0, seed: 11)
    static let queries = ClusteredVectors(
        count: 200, dimension: dimension, clusters: 500, spread: 2.0, seed: 11, pointSeed: 1_111
    )
    .flat.chunked(dimension)

    @Test func incrementallyInsertedGraphRecallsWithinOnePointOfABatchBuild() throws {
        let parameters = HNSWParameters()
        let data = Self.data
        let truth = Self.queries.map { fastExactTopTen($0, in: data) }

        let batch = try HNSWIndex(dimension: Self.dimension, parameters: parameters)
        try batch.add(ids: data.ids, vectors: data.flat)

        let scratch = try ScratchDirectory("index")
        defer { scratch.remove() }
        let folder = scratch.url
        let snapshot = folder.appendingPathComponent("index.snapshot")
        var incremental = try HNSWIndex(dimension: Self.dimension, parameters: parameters)
        var added = 0
        var batchSizes = SplitMix64(seed: 5)
        while added < data.count {
            // API ingests arrive as small, uneven batches (an item's captions, a page of a job).
            let size = min(Int.random(in: 1...300, using: &batchSizes), data.count - added)
            try incremental.add(
                ids: Array(data.ids[added..<added + size]),
                vectors: Array(data.flat[added * Self.dimension..<(added + size) * Self.dimension]))
            let before = added
            added += size
            // Daemon restarts at about a quarter, half and three quarters of the ingest.
            if before / 5_000 != added / 5_000, added < data.count {
                try incremental.write(to: snapshot, watermark: Int64(added))
                incremental = try HNSWIndex.read(from: snapshot).0
            }
        }
        #expect(incremental.count == data.count)

        let ef = parameters.efSearchDefault
        let batchRecall = try recallAtK(batch, queries: Self.queries, truth: truth, k: 10, ef: ef)
        let incrementalRecall = try recallAtK(incremental, queries: Self.queries, truth: truth, k: 10, ef: ef)
        // The data must leave room for a worse graph to show; otherwise the comparison proves nothing.
        #expect(batchRecall < 0.999, "batch recall \(batchRecall): the data is too easy to tell graphs apart")
        #expect(
            incrementalRecall >= batchRecall - 0.01,
            "recall@10 at ef \(ef): incremental \(incrementalRecall), batch \(batchRecall)")
    }

    /// FAISS seeds its level generator with a constant and does not save it, so every reload used to draw the
    /// same levels again: with a restart every 500 insertions no node ever got above level 1.
    @Test func levelsKeepBeingDrawnAfterEachReload() throws {
        let dimension = 8
        let data = ClusteredVectors(count: 20_000, dimension: dimension, clusters: 50, spread: 1.0, seed: 3)
        let parameters = HNSWParameters(m: 32, efConstruction: 40, efSearchDefault: 16, efSearchMax: 64)
        let scratch = try ScratchDirectory("index")
        defer { scratch.remove() }
        let folder = scratch.url
        let snapshot = folder.appendingPathComponent("index.snapshot")
        var index = try HNSWIndex(dimension: dimension, parameters: parameters)
        for start in stride(from: 0, to: data.count, by: 500) {
            try index.add(
                ids: Array(data.ids[start..<start + 500]),
                vectors: Array(data.flat[start * dimension..<(start + 500) * dimension]))
            try index.write(to: snapshot, watermark: Int64(start + 500))
            index = try HNSWIndex.read(from: snapshot).0
        }
        // Levels are geometric with ratio 1/M: 20,000 fresh draws put about 20 nodes on level 2 or above
        // (none of them is there with probability e^-20).
        #expect(index.maxLevel >= 2, "max level \(index.maxLevel) after 40 reloads")
    }
}

/// Exact top 10 by inner product without sorting the whole collection (the tests run unoptimised).
func fastExactTopTen(_ query: [Float], in data: ClusteredVectors) -> [Int64] {
    var best: [(score: Float, index: Int)] = []
    best.reserveCapacity(11)
    data.flat.withUnsafeBufferPointer { flat in
        query.withUnsafeBufferPointer { query in
            for i in 0..<data.count {
                var score: Float = 0
                let base = i * data.dimension
                for j in 0..<data.dimension { score += query[j] * flat[base + j] }
                if best.count == 10, score <= best[9].score { continue }
                let position = best.firstIndex { $0.score < score } ?? best.count
                best.insert((score, i), at: position)
                if best.count > 10 { best.removeLast() }
            }
        }
    }
    return best.map { ClusteredVectors.id($0.index) }
}
