import Foundation
import GlimpseAPI
import GlimpseCatalog
import GlimpseIndex

/// Text → distinct items, best first.
struct SearchEngine: Sendable {
    let catalog: Catalog
    let spaces: [EmbeddingSpace]
    let configuration: ServiceConfiguration

    /// Every caption of an item has its own vector, so the nearest k vectors can belong to fewer than k items;
    /// fetching this many vectors per wanted item keeps the result list full.
    private let vectorsPerItem = 4

    func search(_ rawQuery: String, k requestedK: Int?, ef requestedEF: Int?) async throws -> SearchResponse {
        let started = ContinuousClock.now
        let query = rawQuery.trimmingCharacters(in: .whitespacesAndNewlines)
        let limits = configuration.limits
        guard !query.isEmpty else {
            throw ServiceError.invalid("invalid_query", "the query q is empty")
        }
        guard query.unicodeScalars.count <= limits.maxQueryCharacters else {
            throw ServiceError(
                .tooLarge, code: "query_too_long",
                "the query is \(query.unicodeScalars.count) characters long; the limit is \(limits.maxQueryCharacters)")
        }
        let k = requestedK ?? 10
        guard (1...limits.maxK).contains(k) else {
            throw ServiceError.invalid("invalid_k", "k must be between 1 and \(limits.maxK), got \(k)")
        }
        let hnsw = configuration.hnsw
        if let ef = requestedEF, !(1...hnsw.efSearchMax).contains(ef) {
            throw ServiceError.invalid("invalid_ef", "ef must be between 1 and \(hnsw.efSearchMax), got \(ef)")
        }
        let fetch = min(k * vectorsPerItem, hnsw.efSearchMax)
        let ef = max(requestedEF ?? hnsw.efSearchDefault, fetch)

        var best: [String: (score: Float, owner: VectorOwner, space: String)] = [:]
        for space in spaces {
            let embedder = space.embedder
            let vector = try await BlockingWork.run { try embedder.embed([query], role: .query)[0] }
            let excluded = space.excludedIDs
            let hits = try await BlockingWork.run {
                try space.index.search(vector, k: fetch, ef: ef, excluding: excluded)
            }
            let owners = try catalog.hits(vectorIDs: hits.map(\.id))
            for hit in hits where hit.score.isFinite {
                // A vector deleted after the search began is dropped here rather than shown.
                guard let owner = owners[hit.id], !owner.tombstoned else { continue }
                if let current = best[owner.externalID], current.score >= hit.score { continue }
                best[owner.externalID] = (hit.score, owner, space.name)
            }
        }
        let results = best.values
            .sorted { $0.score != $1.score ? $0.score > $1.score : $0.owner.externalID < $1.owner.externalID }
            .prefix(k)
            .map { entry in
                SearchResult(
                    id: entry.owner.externalID, score: entry.score, imagePath: entry.owner.imagePath,
                    captions: entry.owner.captions,
                    matched: MatchedVector(
                        space: entry.space, source: entry.owner.source.rawValue, language: entry.owner.captionLanguage))
            }
        let elapsed = ContinuousClock.now - started
        return SearchResponse(
            query: query, k: k, ef: ef, tookMilliseconds: elapsed.milliseconds, results: Array(results))
    }
}

extension Duration {
    var milliseconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) * 1_000 + Double(attoseconds) / 1e15
    }
}
