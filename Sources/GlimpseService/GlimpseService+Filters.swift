import Foundation
import GlimpseAPI
import GlimpseCatalog
import GlimpseIndex

/// Filtered and paged reads (issue 14): searches with `filter`/`offset`/`cursor`/`min_score`, "more like this",
/// item listing and bulk delete by filter.
extension GlimpseService {
    /// A text search restricted and paged by `paging`.
    public func search(_ query: String, k: Int?, ef: Int?, align: Bool = true, paging: SearchPaging) async throws
        -> SearchResponse
    {
        try await searchEngine.search(query, k: k, ef: ef, alignment: align ? .full : .off, paging: paging)
    }

    /// A search by example image restricted and paged by `paging`.
    public func searchImage(_ imageBytes: Data, k: Int?, ef: Int?, paging: SearchPaging) async throws
        -> SearchResponse
    {
        try await searchEngine.searchImage(imageBytes, k: k, ef: ef, paging: paging)
    }

    /// Items like the item `id`: its own live vectors searched in each space it has vectors in (each vector's
    /// nearest neighbours, max-fused per space, then `SpaceFusion` across spaces), never the item itself.
    public func similar(id: String, k requestedK: Int?, ef requestedEF: Int?, paging requested: SearchPaging)
        async throws -> SearchResponse
    {
        let started = ContinuousClock.now
        let k = requestedK ?? 10
        guard (1...configuration.limits.maxK).contains(k) else {
            throw ServiceError.invalid(.invalidK, "k must be between 1 and \(configuration.limits.maxK), got \(k)")
        }
        let hnsw = configuration.hnsw
        if let ef = requestedEF, !(1...hnsw.efSearchMax).contains(ef) {
            throw ServiceError.invalid(.invalidEF, "ef must be between 1 and \(hnsw.efSearchMax), got \(ef)")
        }
        let paging = try ResultPaging(k: k, paging: requested, request: "similar|\(id)")
        let filter = try requested.filter.map(ItemFieldConversion.catalogFilter)
        guard let stored = try catalog.liveVectors(ofItem: id) else {
            throw ServiceError(.notFound, code: .notFound, "no item with id \(id)")
        }
        let fetch = min(paging.depth * 4, hnsw.efSearchMax)
        let ef = max(requestedEF ?? hnsw.efSearchDefault, fetch)
        var perSpace: [SpaceHits] = []
        for space in spaces {
            let own = (stored[space.name] ?? []).filter { $0.vector.count == space.index.dimension }
            guard !own.isEmpty else { continue }
            let excluded = space.unmarkedTombstones.union(own.map(\.id))
            let allowed = try searchEngine.allowedVectors(in: space, filter: filter)
            if allowed?.isEmpty == true { continue }
            let index = space.index
            let found = try await blockingWork.run {
                try own.map { try index.search($0.vector, k: fetch, ef: ef, excluding: excluded, allowing: allowed) }
            }
            // Each hit vector keeps the best score any of the item's vectors gave it.
            var best: [Int64: Float] = [:]
            for hit in found.joined() where hit.score.isFinite {
                best[hit.id] = max(best[hit.id] ?? -.infinity, hit.score)
            }
            let hits = best.map { SearchHit(id: $0.key, score: $0.value) }.sorted { $0.score > $1.score }
            let owners = try catalog.hits(vectorIDs: hits.map(\.id)).filter { $0.value.externalID != id }
            perSpace.append(SpaceHits.resolve(space: space.name, weights: space.weights, hits: hits, owners: owners))
        }
        let page = paging.page(SpaceFusion.fuse(perSpace, k: paging.depth).map(SearchResult.init))
        var response = SearchResponse(
            query: "", k: k, ef: ef, tookMilliseconds: (ContinuousClock.now - started).milliseconds,
            results: try searchEngine.withFields(page.results))
        response.offset = page.offset
        response.nextCursor = page.nextCursor
        return response
    }

    /// A page of the items matching `filter` (nil: all) in catalog order.
    public func items(filter: SearchFilter?, limit requestedLimit: Int?, cursor: String?) throws -> ItemListResponse {
        let limit = requestedLimit ?? 100
        guard (1...IngestLimits.maxListLimit).contains(limit) else {
            throw ServiceError.invalid(
                .invalidParameters, "limit must be between 1 and \(IngestLimits.maxListLimit), got \(limit)")
        }
        let filterKey = filter.map { "\($0)" } ?? ""
        let after = try cursor.map { try ResultPaging.listPosition($0, filter: filterKey) } ?? 0
        let catalogFilter = try filter.map(ItemFieldConversion.catalogFilter)
        // One more than asked tells whether another page follows.
        let rows = try catalog.items(matching: catalogFilter, after: after, limit: limit + 1)
        let page = rows.prefix(limit)
        let next = rows.count > limit ? ResultPaging.listCursor(after: page.last!.rowID, filter: filterKey) : nil
        return ItemListResponse(items: page.map { Self.itemResponse($0.item) }, nextCursor: next)
    }

    /// Deletes every item matching `filter`, or with `dryRun` only counts them.
    public func deleteItems(filter: SearchFilter, dryRun: Bool) throws -> BulkDeleteResponse {
        let catalogFilter = try ItemFieldConversion.catalogFilter(filter)
        if dryRun {
            return BulkDeleteResponse(
                dryRun: true, matched: try catalog.countItems(matching: catalogFilter), tombstonedVectors: 0)
        }
        let deleted = try catalog.deleteItems(matching: catalogFilter)
        for space in spaces { space.tombstone(deleted.tombstoned) }
        if !deleted.tombstoned.isEmpty { notifyItemsDeleted() }
        return BulkDeleteResponse(
            dryRun: false, matched: deleted.externalIDs.count, tombstonedVectors: deleted.tombstoned.count)
    }

    static func itemResponse(_ item: ItemRecord) -> ItemResponse {
        var response = ItemResponse(
            id: item.externalID, imagePath: item.imagePath, contentHash: item.contentHash, captions: item.captions,
            vectors: item.liveVectorCount, createdAt: item.createdAt.formatted(.iso8601),
            updatedAt: item.updatedAt.formatted(.iso8601), fields: ItemFieldConversion.wire(item.fields),
            photo: ItemFieldConversion.wire(item.photo))
        response.captionSources = CaptionSource.wire(
            languages: item.captions.keys, automatic: item.automaticCaptionLanguages)
        return response
    }
}
