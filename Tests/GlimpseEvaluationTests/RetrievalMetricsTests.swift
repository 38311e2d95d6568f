import GlimpseEvaluation
import Testing

struct RetrievalMetricsTests {
    @Test func recallCountsAQueryOnceItsFirstHitIsWithinK() {
        let ranking = ["a", "b", "c", "d", "e", "f"]
        #expect(RetrievalMetrics.recall(at: 1, ranking, relevant: ["a"]) == 1)
        #expect(RetrievalMetrics.recall(at: 1, ranking, relevant: ["c", "f"]) == 0)
        #expect(RetrievalMetrics.recall(at: 5, ranking, relevant: ["c", "f"]) == 1)
        #expect(RetrievalMetrics.recall(at: 5, ranking, relevant: ["f"]) == 0)
        #expect(RetrievalMetrics.recall(at: 5, ranking, relevant: ["z"]) == 0)
    }

    @Test func reciprocalRankUsesTheFirstRelevantItem() {
        #expect(RetrievalMetrics.reciprocalRank(["a", "b", "c"], relevant: ["b", "c"]) == 0.5)
        #expect(RetrievalMetrics.reciprocalRank(["a", "b", "c", "d"], relevant: ["d"]) == 0.25)
        #expect(RetrievalMetrics.reciprocalRank(["a"], relevant: ["x"]) == 0)
    }

    @Test func overlapIsTheSharedShareOfTheTopK() {
        #expect(RetrievalMetrics.overlap(["a", "b", "c"], ["c", "b", "a"], at: 3) == 1)
        #expect(RetrievalMetrics.overlap(["a", "b", "c", "d"], ["a", "x", "y", "d"], at: 4) == 0.5)
        // Only the first k count.
        #expect(RetrievalMetrics.overlap(["a", "b", "c"], ["b", "a", "x"], at: 2) == 1)
        #expect(RetrievalMetrics.overlap(["a"], ["b"], at: 10) == 0)
    }

    @Test func summaryAveragesOverQueries() {
        var summary = MetricSummary()
        summary.add(["a", "b"], relevant: ["a"])  // rank 1
        summary.add(["x", "y", "a"], relevant: ["a"])  // rank 3
        summary.add(["x", "y", "z", "w", "v", "a"], relevant: ["a"])  // rank 6
        summary.add(["x"], relevant: ["a"])  // missing
        #expect(summary.queries == 4)
        #expect(summary.recallAt1 == 0.25)
        #expect(summary.recallAt5 == 0.5)
        #expect(abs(summary.meanReciprocalRank - (1 + 1.0 / 3 + 1.0 / 6) / 4) < 1e-12)
    }
}
