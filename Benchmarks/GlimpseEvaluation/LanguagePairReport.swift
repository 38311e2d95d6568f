import Foundation

/// One label of the eval set as a pair of queries, with its photos by caption language.
public struct LabelQueries: Sendable, Equatable {
    public var english: String
    public var chinese: String
    /// Item ids of the label's photos captioned in each language.
    public var photosByLanguage: [String: Set<String>]

    public var photos: Set<String> { photosByLanguage.values.reduce(into: []) { $0.formUnion($1) } }

    public static func make(from photos: [EvalPhoto]) -> [LabelQueries] {
        var labels: [String: LabelQueries] = [:]
        for photo in photos {
            labels[
                photo.labelEnglish,
                default: LabelQueries(english: photo.labelEnglish, chinese: photo.labelChinese, photosByLanguage: [:])
            ]
            .photosByLanguage[photo.captionLanguage, default: []].insert(photo.path)
        }
        return labels.keys.sorted().map { labels[$0]! }
    }
}

/// Accumulates the metrics per query language × caption language, and the zh/en overlap per label.
public struct LanguagePairReport: Sendable {
    /// Keyed "zh→en" etc. (query language → caption language).
    public private(set) var pairs: [String: MetricSummary] = [:]
    public private(set) var overlaps: [Double] = []

    public init() {}

    public static let header = ["alignment", "pairs", "queries", "recall@1", "recall@5", "MRR", "zh/en top-10 overlap"]

    /// For each query language and each caption language the label has photos in, the ranking is scored with the
    /// label's photos in the *other* caption language removed, so a label captioned in both languages is scored
    /// once as a same-language and once as a cross-language pair.
    public mutating func add(label: LabelQueries, chineseRanking: [String], englishRanking: [String]) {
        for (queryLanguage, ranking) in [("zh", chineseRanking), ("en", englishRanking)] {
            for (captionLanguage, relevant) in label.photosByLanguage where !relevant.isEmpty {
                let hidden = label.photos.subtracting(relevant)
                pairs["\(queryLanguage)→\(captionLanguage)", default: MetricSummary()]
                    .add(ranking.filter { !hidden.contains($0) }, relevant: relevant)
            }
        }
        overlaps.append(RetrievalMetrics.overlap(chineseRanking, englishRanking, at: 10))
    }

    public var meanOverlap: Double { overlaps.isEmpty ? .nan : overlaps.reduce(0, +) / Double(overlaps.count) }

    public func rows(alignment: String) -> [[String]] {
        let order = [("same", "zh→zh"), ("same", "en→en"), ("cross", "zh→en"), ("cross", "en→zh")]
        return order.enumerated().compactMap { index, entry in
            guard let summary = pairs[entry.1] else { return nil }
            return [
                alignment, "\(entry.0) \(entry.1)", String(summary.queries), Self.format(summary.recallAt1),
                Self.format(summary.recallAt5), Self.format(summary.meanReciprocalRank),
                index == 0 ? Self.format(meanOverlap) + " (mean of \(overlaps.count) labels)" : "",
            ]
        }
    }

    static func format(_ value: Double) -> String { String(format: "%.3f", value) }
}
