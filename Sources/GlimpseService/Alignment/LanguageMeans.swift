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
/// The index returns q·c and the query gives q·m for each language; c·m for each language is kept here per
/// vector, so no caption vector is read at search time. Kept up to date lazily: each search first folds in the vectors committed since the last look
/// (one catalog read when nothing changed); when the catalog has grown by a quarter, or vectors were deleted, the
/// means and every c·m are recomputed from the live vectors.
final class LanguageMeans: Sendable {
    struct Means: Sendable {
        var vectors: [String: [Float]] = [:]
        /// m_a·m_b for every pair of languages, keyed "a|b".
        var crossProducts: [String: Float] = [:]
        /// c·m_a of each folded vector, per language a.
        var projections: [String: [Int64: Float]] = [:]

        /// The centred cosine of a hit, from its raw score, for a query of `queryLanguage` (nil: centred like the
        /// caption) whose projections on the means are `queryProjections`; nil when a mean is missing.
        func centred(
            score: Float, queryProjections: [String: Float], queryLanguage: String?, vectorID: Int64, language: String
        ) -> Float? {
            let a = queryLanguage.flatMap { vectors[$0] == nil ? nil : $0 } ?? language
            guard let maa = crossProducts["\(a)|\(a)"], let mbb = crossProducts["\(language)|\(language)"],
                let mab = crossProducts["\(a)|\(language)"], let qa = queryProjections[a],
                let qb = queryProjections[language]
            else { return nil }
            let ca = projections[a]?[vectorID] ?? mab
            let cb = projections[language]?[vectorID] ?? mbb
            let numerator = score - qb - ca + mab
            let queryNorm = max(1e-6, 1 - 2 * qa + maa).squareRoot()
            let captionNorm = max(1e-6, 1 - 2 * cb + mbb).squareRoot()
            return numerator / (queryNorm * captionNorm)
        }
    }

    private struct State: Sendable {
        var sums: [String: [Double]] = [:]
        var counts: [String: Int] = [:]
        var means = Means()
        var lastVectorID: Int64 = 0
        var tombstones = 0
        var countAtFullPass = 0
        var total: Int { counts.values.reduce(0, +) }
    }

    /// The running sums and projections of each space (by name): spaces differ in dimension and meaning, so each
    /// has its own means. Concurrent searches refresh and read them.
    private let states = Mutex<[String: State]>([:])
    private let pageSize = 2_000

    func current(space: EmbeddingSpace, catalog: Catalog) throws -> Means {
        let tombstones = space.tombstoneCount
        var snapshot = states.withLock { $0[space.name] } ?? State()
        if snapshot.tombstones != tombstones {
            snapshot = try fullPass(space: space, catalog: catalog, tombstones: tombstones)
        } else {
            let added = try fold(after: snapshot.lastVectorID, into: &snapshot, space: space, catalog: catalog)
            guard added else { return snapshot.means }
            if snapshot.total >= snapshot.countAtFullPass + max(1, snapshot.countAtFullPass / 4) {
                snapshot = try fullPass(space: space, catalog: catalog, tombstones: tombstones)
            }
        }
        let updated = snapshot
        states.withLock { states in
            // Another search may have refreshed meanwhile; keep whichever has seen further.
            guard let current = states[space.name] else {
                states[space.name] = updated
                return
            }
            if updated.lastVectorID >= current.lastVectorID || updated.tombstones != current.tombstones {
                states[space.name] = updated
            }
        }
        return updated.means
    }

    private func fullPass(space: EmbeddingSpace, catalog: Catalog, tombstones: Int) throws -> State {
        var fresh = State(tombstones: tombstones)
        _ = try fold(after: 0, into: &fresh, space: space, catalog: catalog)
        // Second pass: every c·m against the final means.
        var after: Int64 = 0
        while true {
            let page = try catalog.vectors(space: space.name, after: after, limit: pageSize)
            guard let last = page.last else { break }
            after = last.id
            let owners = try catalog.hits(vectorIDs: page.map(\.id))
            for stored in page where owners[stored.id]?.captionLanguage != nil {
                for (language, mean) in fresh.means.vectors where mean.count == stored.vector.count {
                    fresh.means.projections[language, default: [:]][stored.id] = VectorMath.dot(stored.vector, mean)
                }
            }
            if page.count < pageSize { break }
        }
        fresh.countAtFullPass = fresh.total
        return fresh
    }

    /// Adds the vectors after `after` to the sums and recomputes the means; new vectors' c·m use the new means.
    private func fold(after: Int64, into state: inout State, space: EmbeddingSpace, catalog: Catalog) throws -> Bool {
        var added: [(id: Int64, language: String, vector: [Float])] = []
        var cursor = after
        while true {
            let page = try catalog.vectors(space: space.name, after: cursor, limit: pageSize)
            guard let last = page.last else { break }
            cursor = last.id
            let owners = try catalog.hits(vectorIDs: page.map(\.id))
            // A damaged catalog row (wrong size, NaN) is left out of the index and must not poison the means.
            for stored in page
            where stored.vector.count == space.index.dimension && stored.vector.allSatisfy(\.isFinite) {
                guard let language = owners[stored.id]?.captionLanguage else { continue }
                var sum = state.sums[language] ?? [Double](repeating: 0, count: stored.vector.count)
                for i in sum.indices { sum[i] += Double(stored.vector[i]) }
                state.sums[language] = sum
                state.counts[language, default: 0] += 1
                added.append((stored.id, language, stored.vector))
            }
            if page.count < pageSize { break }
        }
        state.lastVectorID = max(state.lastVectorID, cursor)
        guard !added.isEmpty else { return false }
        for (language, sum) in state.sums {
            let count = Double(max(1, state.counts[language] ?? 1))
            state.means.vectors[language] = sum.map { Float($0 / count) }
        }
        for (a, ma) in state.means.vectors {
            for (b, mb) in state.means.vectors { state.means.crossProducts["\(a)|\(b)"] = VectorMath.dot(ma, mb) }
        }
        for vector in added {
            for (language, mean) in state.means.vectors {
                state.means.projections[language, default: [:]][vector.id] = VectorMath.dot(vector.vector, mean)
            }
        }
        return true
    }
}
