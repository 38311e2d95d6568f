import Foundation
import GlimpseEvaluation
import GlimpseIndex

/// L2-normalised vectors scattered around random cluster centres, like embeddings of related captions.
struct ClusteredVectors {
    let dimension: Int
    let count: Int
    /// Row-major, count × dimension.
    let flat: [Float]

    /// `pointSeed` varies the points while `seed` fixes the cluster centres, so queries drawn with another
    /// point seed come from the same distribution as the data.
    init(count: Int, dimension: Int, clusters: Int = 40, spread: Float = 0.6, seed: UInt64, pointSeed: UInt64? = nil) {
        var generator = SplitMix64(seed: seed)
        let centres = (0..<clusters).map { _ in (0..<dimension).map { _ in generator.gaussian() } }
        if let pointSeed { generator = SplitMix64(seed: pointSeed) }
        var flat = [Float]()
        flat.reserveCapacity(count * dimension)
        for _ in 0..<count {
            let centre = centres[Int.random(in: 0..<clusters, using: &generator)]
            var v = centre.map { $0 + spread * generator.gaussian() }
            let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
            for i in v.indices { v[i] /= norm }
            flat.append(contentsOf: v)
        }
        self.dimension = dimension
        self.count = count
        self.flat = flat
    }

    func vector(_ i: Int) -> [Float] { Array(flat[i * dimension..<(i + 1) * dimension]) }

    /// Catalog-style ids: sparse and not starting at zero, so label/id mix-ups show.
    static func id(_ i: Int) -> Int64 { Int64(1_000 + 3 * i) }
    var ids: [Int64] { (0..<count).map(Self.id) }
}

/// Exact nearest neighbours by inner product, for measuring recall.
func exactTopK(_ query: [Float], in data: ClusteredVectors, k: Int, excluding: Set<Int64> = []) -> [Int64] {
    var scored: [(Float, Int64)] = []
    scored.reserveCapacity(data.count)
    data.flat.withUnsafeBufferPointer { flat in
        for i in 0..<data.count {
            let id = ClusteredVectors.id(i)
            if excluding.contains(id) { continue }
            var dot: Float = 0
            let base = i * data.dimension
            for j in 0..<data.dimension { dot += query[j] * flat[base + j] }
            scored.append((dot, id))
        }
    }
    return scored.sorted { $0.0 > $1.0 }.prefix(k).map(\.1)
}

func dot(_ a: [Float], _ b: [Float]) -> Float {
    zip(a, b).reduce(0) { $0 + $1.0 * $1.1 }
}

/// Mean fraction of the exact top-k found by the index.
func recallAtK(_ index: HNSWIndex, queries: [[Float]], truth: [[Int64]], k: Int, ef: Int) throws -> Double {
    var found = 0
    for (query, exact) in zip(queries, truth) {
        let hits = try index.search(query, k: k, ef: ef, excluding: [])
        found += Set(hits.map(\.id)).intersection(exact).count
    }
    return Double(found) / Double(queries.count * k)
}
