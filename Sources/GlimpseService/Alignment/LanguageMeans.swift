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
final class LanguageMeans: Sendable {
    struct Means: Sendable {
        var vectors: [String: [Float]] = [:]
        /// m_a·m_b for every pair of languages, keyed "a|b".
        var crossProducts: [String: Float] = [:]

        /// The means of the sums of one dimension (the index's; rows of another dimension are a re-embedding in
        /// progress and do not describe the index's vectors).
        init(sums: [LanguageSum] = [], dimension: Int = 0) {
            for sum in sums where sum.dimension == dimension && sum.count > 0 {
                vectors[sum.language] = sum.mean
            }
            for (a, ma) in vectors {
                for (b, mb) in vectors { crossProducts["\(a)|\(b)"] = VectorMath.dot(ma, mb) }
            }
        }

        /// The centred cosine of a hit whose vector is `caption`, from its raw score, for a query of
        /// `queryLanguage` (nil: centred like the caption) whose projections on the means are `queryProjections`;
        /// nil when a mean or the caption vector is missing.
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
            return numerator / (queryNorm * captionNorm)
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
