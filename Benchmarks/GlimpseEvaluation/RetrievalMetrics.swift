/// Ranking metrics over item ids, best first. A hit is any item in `relevant`.
public enum RetrievalMetrics {
    /// 1-based rank of the first relevant item, nil if none is ranked.
    public static func firstRelevantRank(_ ranking: [String], relevant: Set<String>) -> Int? {
        ranking.firstIndex(where: relevant.contains).map { $0 + 1 }
    }

    /// 1 if a relevant item is among the first `k`, else 0.
    public static func recall(at k: Int, _ ranking: [String], relevant: Set<String>) -> Double {
        guard let rank = firstRelevantRank(ranking, relevant: relevant) else { return 0 }
        return rank <= k ? 1 : 0
    }

    /// 1/rank of the first relevant item, 0 if none is ranked.
    public static func reciprocalRank(_ ranking: [String], relevant: Set<String>) -> Double {
        firstRelevantRank(ranking, relevant: relevant).map { 1 / Double($0) } ?? 0
    }

    /// Share of the first `k` items the two rankings have in common (1 = same set, order ignored). Rankings
    /// shorter than `k` are compared over the longer one's length.
    public static func overlap(_ a: [String], _ b: [String], at k: Int = 10) -> Double {
        let topA = Set(a.prefix(k))
        let topB = Set(b.prefix(k))
        let size = max(topA.count, topB.count)
        guard size > 0 else { return 1 }
        return Double(topA.intersection(topB).count) / Double(size)
    }
}

/// Mean recall@1, recall@5 and MRR over a group of queries.
public struct MetricSummary: Sendable, Equatable {
    public private(set) var queries = 0
    private var recall1 = 0.0
    private var recall5 = 0.0
    private var reciprocalRanks = 0.0

    public init() {}

    public mutating func add(_ ranking: [String], relevant: Set<String>) {
        queries += 1
        recall1 += RetrievalMetrics.recall(at: 1, ranking, relevant: relevant)
        recall5 += RetrievalMetrics.recall(at: 5, ranking, relevant: relevant)
        reciprocalRanks += RetrievalMetrics.reciprocalRank(ranking, relevant: relevant)
    }

    public var recallAt1: Double { mean(recall1) }
    public var recallAt5: Double { mean(recall5) }
    public var meanReciprocalRank: Double { mean(reciprocalRanks) }

    private func mean(_ sum: Double) -> Double { queries == 0 ? .nan : sum / Double(queries) }
}
