import Dispatch
import Foundation
import GlimpseEvaluation
import Synchronization

/// The index benchmark's data: L2-normalised vectors scattered around cluster centres (like caption
/// embeddings of related photos), queries drawn from the same clusters, and their exact top-k.
struct IndexWorkload: Sendable {
    let dimension: Int
    let count: Int
    /// Row-major, count × dimension.
    let vectors: [Float]
    let queries: [[Float]]

    init(count: Int, queries queryCount: Int, dimension: Int, clusters: Int, spread: Float, seed: UInt64) {
        var generator = SplitMix64(seed: seed)
        let centres = (0..<clusters).map { _ in (0..<dimension).map { _ in generator.gaussian() } }
        func point() -> [Float] {
            let centre = centres[Int(generator.next() % UInt64(clusters))]
            var v = centre.map { $0 + spread * generator.gaussian() }
            let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
            for i in v.indices { v[i] /= norm }
            return v
        }
        var vectors = [Float]()
        vectors.reserveCapacity(count * dimension)
        for _ in 0..<count { vectors.append(contentsOf: point()) }
        self.queries = (0..<queryCount).map { _ in point() }
        self.vectors = vectors
        self.dimension = dimension
        self.count = count
    }

    private init(dimension: Int, count: Int, vectors: [Float], queries: [[Float]]) {
        self.dimension = dimension
        self.count = count
        self.vectors = vectors
        self.queries = queries
    }

    /// The first `count` vectors with the same queries (for the smaller incremental-insert comparison).
    func prefix(_ count: Int) -> IndexWorkload {
        let count = min(count, self.count)
        return IndexWorkload(
            dimension: dimension, count: count, vectors: Array(vectors[0..<count * dimension]), queries: queries)
    }

    var ids: [Int64] { (0..<Int64(count)).map { $0 } }

    /// Writes vectors, queries and `truth` as raw little-endian files for the peer script.
    func writeForPeers(to folder: URL, truth: [[Int64]]) throws {
        func write<T>(_ values: [T], _ name: String) throws {
            try values.withUnsafeBytes { try Data($0).write(to: folder.appendingPathComponent(name)) }
        }
        try write(vectors, "vectors.f32")
        try write(queries.flatMap { $0 }, "queries.f32")
        try write(truth.flatMap { $0 }, "truth.i64")
    }

    /// Exact top-k ids by inner product for every query (brute force, queries spread over all cores), over
    /// all vectors or only the rows in `rows` (a filtered search's allowed set, ids are row numbers).
    func exactTopK(_ k: Int, rows: [Int]? = nil) -> [[Int64]] {
        let results = IndexBenchResults<[Int64]>(count: queries.count, initial: [])
        DispatchQueue.concurrentPerform(iterations: queries.count) { q in
            results.set(q, exactTopK(k, query: queries[q], rows: rows))
        }
        return results.values
    }

    /// Exact top-k of one query: the brute-force scan the filtered rows are compared with.
    func exactTopK(_ k: Int, query: [Float], rows: [Int]?) -> [Int64] {
        var best: [(Float, Int64)] = []
        vectors.withUnsafeBufferPointer { base in
            query.withUnsafeBufferPointer { query in
                func consider(_ i: Int) {
                    let score = simdDot(query.baseAddress!, base.baseAddress! + i * dimension, dimension)
                    if best.count < k || score > best[best.count - 1].0 {
                        best.append((score, Int64(i)))
                        best.sort { $0.0 > $1.0 }
                        if best.count > k { best.removeLast() }
                    }
                }
                if let rows {
                    for i in rows { consider(i) }
                } else {
                    for i in 0..<count { consider(i) }
                }
            }
        }
        return best.map(\.1)
    }
}

/// SIMD dot product for the brute-force ground truth (the index's own kernels are in C++).
func simdDot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ d: Int) -> Float {
    var acc = SIMD8<Float>()
    var i = 0
    while i + 8 <= d {
        let x = UnsafeRawPointer(a + i).loadUnaligned(as: SIMD8<Float>.self)
        let y = UnsafeRawPointer(b + i).loadUnaligned(as: SIMD8<Float>.self)
        acc += x * y
        i += 8
    }
    var sum = acc.sum()
    while i < d {
        sum += a[i] * b[i]
        i += 1
    }
    return sum
}

/// A fixed-size result array filled from concurrentPerform workers, each writing its own slot.
final class IndexBenchResults<Value: Sendable>: Sendable {
    private let storage: Mutex<[Value]>
    init(count: Int, initial: Value) { storage = Mutex(Array(repeating: initial, count: count)) }
    func set(_ index: Int, _ value: Value) { storage.withLock { $0[index] = value } }
    var values: [Value] { storage.withLock { $0 } }
}
