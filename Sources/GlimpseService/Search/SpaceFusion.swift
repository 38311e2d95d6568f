import Foundation
import GlimpseAPI
import GlimpseCatalog
import GlimpseIndex

/// One index hit of one space whose owner the catalog resolved (live vectors only).
struct SpaceVectorHit: Sendable, Equatable {
    let owner: VectorOwner
    let cosine: Float
}

/// Everything one space contributed to a search.
struct SpaceHits: Sendable, Equatable {
    let space: String
    let weights: SpaceWeights
    let hits: [SpaceVectorHit]

    /// Keeps the hits with a finite score whose vector is still live, in index order.
    static func resolve(space: String, weights: SpaceWeights, hits: [SearchHit], owners: [Int64: VectorOwner])
        -> SpaceHits
    {
        SpaceHits(
            space: space, weights: weights,
            hits: hits.compactMap { hit in
                // A vector deleted after the search began is dropped here rather than shown.
                guard hit.score.isFinite, let owner = owners[hit.id], !owner.tombstoned else { return nil }
                return SpaceVectorHit(owner: owner, cosine: hit.score)
            })
    }
}

/// An item after fusion: its fused score, its score in each space that found it, and the vector that counted most.
struct FusedItem: Sendable, Equatable {
    let score: Float
    let scores: [String: Float]
    let matchedSpace: String
    let matched: VectorOwner
}

/// Fuses the hits of several embedding spaces into one list of distinct items.
///
/// For item i and space s with weights (W_s, w_caption, w_image):
///
///     score_s(i) = max over i's vectors v found in s of  w_source(v) × cos(query_s, v)
///     score(i)   = Σ_s W_s × score_s(i) / Σ_s W_s
///
/// summed over every space searched, where a space that did not find i among its nearest vectors adds 0. With one
/// space and all weights 1 (the default) the score is the cosine of the item's best vector, as before fusion.
/// `scores` reports score_s(i) per space that found i; `matched` is the vector with the largest W_s × score_s(i).
enum SpaceFusion {
    static func fuse(_ spaces: [SpaceHits], k: Int) -> [FusedItem] {
        let totalWeight = spaces.reduce(Float(0)) { $0 + $1.weights.space }
        guard totalWeight > 0, k > 0 else { return [] }
        struct Partial {
            var weightedSum: Float = 0
            var scores: [String: Float] = [:]
            var best: (value: Float, space: String, owner: VectorOwner)?
        }
        var items: [String: Partial] = [:]
        for space in spaces {
            // The best weighted vector of each item within this space.
            var bestInSpace: [String: (score: Float, owner: VectorOwner)] = [:]
            for hit in space.hits {
                let sourceWeight = hit.owner.source == .image ? space.weights.image : space.weights.caption
                let score = sourceWeight * hit.cosine
                if let current = bestInSpace[hit.owner.externalID], current.score >= score { continue }
                bestInSpace[hit.owner.externalID] = (score, hit.owner)
            }
            for (id, entry) in bestInSpace {
                let contribution = space.weights.space * entry.score
                var partial = items[id] ?? Partial()
                partial.weightedSum += contribution
                partial.scores[space.space] = entry.score
                if partial.best == nil || contribution > partial.best!.value {
                    partial.best = (contribution, space.space, entry.owner)
                }
                items[id] = partial
            }
        }
        return items.values
            .compactMap { partial -> FusedItem? in
                guard let best = partial.best else { return nil }
                return FusedItem(
                    score: partial.weightedSum / totalWeight, scores: partial.scores, matchedSpace: best.space,
                    matched: best.owner)
            }
            .sorted { $0.score != $1.score ? $0.score > $1.score : $0.matched.externalID < $1.matched.externalID }
            .prefix(k)
            .map { $0 }
    }
}

extension SearchResult {
    init(_ item: FusedItem) {
        self.init(
            id: item.matched.externalID, score: item.score, imagePath: item.matched.imagePath,
            captions: item.matched.captions,
            matched: MatchedVector(
                space: item.matchedSpace, source: item.matched.source.rawValue, language: item.matched.captionLanguage),
            scores: item.scores)
        captionSources = CaptionSource.wire(
            languages: item.matched.captions.keys, automatic: item.matched.automaticCaptionLanguages)
    }
}
