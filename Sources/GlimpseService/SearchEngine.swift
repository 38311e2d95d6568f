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

        var perSpace: [SpaceHits] = []
        for space in spaces {
            let embedder = space.embedder
            let vector = try await BlockingWork.run { try embedder.embed([query], role: .query)[0] }
            let excluded = space.excludedIDs
            let hits = try await BlockingWork.run {
                try space.index.search(vector, k: fetch, ef: ef, excluding: excluded)
            }
            let owners = try catalog.hits(vectorIDs: hits.map(\.id))
            perSpace.append(SpaceHits.resolve(space: space.name, weights: space.weights, hits: hits, owners: owners))
        }
        let results = SpaceFusion.fuse(perSpace, k: k).map(SearchResult.init)
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
