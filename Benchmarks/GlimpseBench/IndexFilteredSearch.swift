import Foundation
import GlimpseEvaluation
import GlimpseIndex

/// Filtered search on the benchmark's index: recall@10 against brute force over the allowed vectors and
/// single-thread QPS at several selectivities, for the strategy the index picks and for each strategy forced
/// (graph search collecting only allowed vectors with ef widened, exact scan of the allowed vectors), beside
/// a brute-force scan of the allowed rows in Swift (the floor any filtered search must beat).
enum IndexFilteredSearch {
    static func rows(
        index: HNSWIndex, workload: IndexWorkload, queries: Int, ef: Int, selectivities: [Double], rounds: Int
    ) throws -> [[String]] {
        let queryList = Array(workload.queries.prefix(queries))
        var rows: [[String]] = []
        for (n, fraction) in selectivities.enumerated() {
            var generator = SplitMix64(seed: 900 + UInt64(n))
            let allowedRows = (0..<workload.count).filter { _ in Double.random(in: 0..<1, using: &generator) < fraction
            }
            let allowed = Set(allowedRows.map { Int64($0) })
            let subset = IndexWorkload.Subset(workload: workload, queries: queryList)
            let truth = subset.truth(rows: allowedRows)
            var row = [String(format: "%g%%", fraction * 100), "\(allowed.count)"]
            for strategy in [HNSWIndex.FilteredSearchStrategy.automatic, .graph, .exactScan] {
                index.setFilteredSearchStrategy(strategy)
                var found = 0
                for (query, exact) in zip(queryList, truth) {
                    let hits = try index.search(query, k: 10, ef: ef, allowing: allowed)
                    found += Set(hits.map(\.id)).intersection(exact).count
                }
                var best = Double.infinity
                for _ in 0..<rounds {
                    let start = Date()
                    for query in queryList { _ = try index.search(query, k: 10, ef: ef, allowing: allowed) }
                    best = min(best, Date().timeIntervalSince(start))
                }
                let total = max(1, truth.reduce(0) { $0 + $1.count })
                row.append(String(format: "%.4f", Double(found) / Double(total)))
                row.append(String(format: "%.0f", Double(queryList.count) / best))
            }
            index.setFilteredSearchStrategy(.automatic)
            var best = Double.infinity
            for _ in 0..<rounds {
                let start = Date()
                for query in queryList { _ = workload.exactTopK(10, query: query, rows: allowedRows) }
                best = min(best, Date().timeIntervalSince(start))
            }
            row.append(String(format: "%.0f", Double(queryList.count) / best))
            rows.append(row)
        }
        return rows
    }

    static let header = [
        "allowed", "vectors", "auto recall", "auto QPS", "graph recall", "graph QPS", "scan recall", "scan QPS",
        "brute-force QPS",
    ]
}

extension IndexWorkload {
    /// Some of the workload's queries, for exact filtered top-k over chosen rows.
    struct Subset {
        let workload: IndexWorkload
        let queries: [[Float]]

        func truth(rows: [Int]) -> [[Int64]] {
            let results = IndexBenchResults<[Int64]>(count: queries.count, initial: [])
            DispatchQueue.concurrentPerform(iterations: queries.count) { q in
                results.set(q, workload.exactTopK(10, query: queries[q], rows: rows))
            }
            return results.values
        }
    }
}
