import GlimpseCatalog
import GlimpseEmbedding
import Synchronization

/// The mean caption vector of each caption language, per embedding space, for per-language centring. Multilingual
/// embedders place every text of a language near a shared offset; centring each vector on its own language's
/// mean (query q of language a on m_a, caption c of language b on m_b) and taking the cosine of the centred
/// vectors lets a Chinese and an English caption compete on meaning alone:
///
///     cos(q − m_a, c − m_b) = (q·c − q·m_b − c·m_a + m_a·m_b) / (|q − m_a| |c − m_b|),   |x − m|² = 1 − 2 x·m + m·m
///
/// The index returns q·c, the query gives q·m for each language, and c·m is computed for the hits only, from their
/// vectors (read with their owners). The means come from the catalog's language sums, which every write keeps in
/// its own transaction: loading them is one small read, at start and again only after a write, and no search
/// ever reads every vector — not the first after a restart, not the first after a delete.
///
/// Rare languages: the mean of a language with one caption is that caption, so c − m_b is zero and the cosine
/// divides rounding noise by a near-zero norm (a lone `fr` caption scored 1.75 for every query). Each language's
/// mean is therefore shrunk toward the mean of all captions, as if `priorCaptions` (3) captions at the global mean
/// were added to it, and the global mean toward zero (no centring) the same way:
///
///     g = Σ_all c / (N + λ),   m_b = (Σ_b c + λ g) / (n_b + λ)
///
/// A language with hundreds of captions keeps its own mean; one with a few is centred mostly on the global one.
///
/// Every centred score is finally clamped to [−1, 1], which only rounding can leave.
final class LanguageMeans: Sendable {
    /// λ above: captions' worth of weight the global mean adds to each language's mean.
    static let priorCaptions: Double = 3

    struct Means: Sendable {
        var vectors: [String: [Float]] = [:]
        /// m_a·m_b for every pair of languages, keyed "a|b".
        var crossProducts: [String: Float] = [:]

        /// The means of the sums of one dimension (the index's; rows of another dimension are a re-embedding in
        /// progress and do not describe the index's vectors), each shrunk toward the global mean.
        init(sums: [LanguageSum] = [], dimension: Int = 0, priorCaptions: Double = LanguageMeans.priorCaptions) {
            let live = sums.filter { $0.dimension == dimension && $0.count > 0 && $0.sum.count == dimension }
            let total = live.reduce(0) { $0 + $1.count }
            var global = [Double](repeating: 0, count: dimension)
            for sum in live { for i in global.indices { global[i] += sum.sum[i] } }
            let globalDivisor = Double(total) + priorCaptions
            if globalDivisor > 0 { global = global.map { $0 / globalDivisor } }
            for sum in live {
                let divisor = Double(sum.count) + priorCaptions
                vectors[sum.language] = sum.sum.indices.map {
                    Float((sum.sum[$0] + priorCaptions * global[$0]) / divisor)
                }
            }
            for (a, ma) in vectors {
                for (b, mb) in vectors { crossProducts["\(a)|\(b)"] = VectorMath.dot(ma, mb) }
            }
        }

        /// The centred cosine of a hit whose vector is `caption`, from its raw score, for a query of
        /// `queryLanguage` (nil: centred like the caption) whose projections on the means are `queryProjections`;
        /// nil when a mean or the caption vector is missing. Always within [−1, 1].
        func centred(
            score: Float, queryProjections: [String: Float], queryLanguage: String?, caption: [Float]?,
            language: String
        ) -> Float? {
            let a = queryLanguage.flatMap { vectors[$0] == nil ? nil : $0 } ?? language
            guard let caption, let meanA = vectors[a], let meanB = vectors[language], caption.count == meanA.count,
                let maa = crossProducts["\(a)|\(a)"], let mbb = crossProducts["\(language)|\(language)"],
                let mab = crossProducts["\(a)|\(language)"], let qa = queryProjections[a],
                let qb = queryProjections[language]
            else { return nil }
            let ca = VectorMath.dot(caption, meanA)
            let cb = a == language ? ca : VectorMath.dot(caption, meanB)
            let numerator = score - qb - ca + mab
            let queryNorm = max(1e-6, 1 - 2 * qa + maa).squareRoot()
            let captionNorm = max(1e-6, 1 - 2 * cb + mbb).squareRoot()
            let centred = numerator / (queryNorm * captionNorm)
            return centred.isFinite ? min(1, max(-1, centred)) : nil
        }
    }

    private struct Cached: Sendable {
        var generation: Int
        var means: Means
    }

    /// Means per space (by name), with the catalog's sums generation they were read at.
    private let cache = Mutex<[String: Cached]>([:])

    func current(space: EmbeddingSpace, catalog: Catalog) throws -> Means {
        // Read before the sums: a write committed after this read bumps it again, so the next search rereads.
        let generation = catalog.languageSumsGeneration
        if let cached = cache.withLock({ $0[space.name] }), cached.generation == generation { return cached.means }
        let means = Means(sums: try catalog.languageSums(space: space.name), dimension: space.index.dimension)
        cache.withLock { cache in
            if (cache[space.name]?.generation ?? Int.min) <= generation {
                cache[space.name] = Cached(generation: generation, means: means)
            }
        }
        return means
    }
}
