import Foundation
import GlimpseAPI
import GlimpseCatalog
import GlimpseEmbedding
import GlimpseIndex
import GlimpseLanguage

/// Text → distinct items, best first.
///
/// With cross-lingual alignment (the default) the query is searched together with its dictionary translations
/// (and, for a mixed query, its single-language parts), and every score is centred per caption language: a hit's
/// score is the cosine of the query and the caption each centred on its own language's mean caption vector
/// (`LanguageMeans`), which removes the pull every text has toward its own language. Each item then scores the best any of the texts gives it
/// (max fusion). When the dictionary offers several senses, each is searched as its own stream; the main sense
/// ranks the results and the best item of every other sense is moved up to second place, so one sense cannot
/// push the other out of the top results.
struct SearchEngine: Sendable {
    let catalog: Catalog
    let spaces: [EmbeddingSpace]
    let configuration: ServiceConfiguration
    let alignment: CrossLingualAlignment
    /// The bounded pool embedding and index searches run on.
    let blockingWork: BlockingWork
    let languageMeans = LanguageMeans()
    /// Per space name: the space's query-vector cache and the batching of concurrent searches' texts.
    let queryEmbedding: [String: TextEmbeddingBatcher]
    /// Per-stage timers (embed, index, alignment, fusion).
    let metrics: ServiceMetrics
    /// Per space name: the install-time table of dictionary words' query vectors, when one fits the space's model
    /// and the loaded dictionaries (`WordVectorTableAttachment`).
    let wordTables: [String: WordVectorTable]
    /// Per space name: whether its word-vector table is used, and why not (for `status()`).
    let wordTableStatuses: [String: WordTableStatus]

    init(
        catalog: Catalog, spaces: [EmbeddingSpace], configuration: ServiceConfiguration,
        alignment: CrossLingualAlignment, blockingWork: BlockingWork, metrics: ServiceMetrics = ServiceMetrics(),
        wordTables: [String: WordVectorTable] = [:], wordTableStatuses: [String: WordTableStatus] = [:]
    ) {
        self.metrics = metrics
        self.wordTables = wordTables
        self.wordTableStatuses = wordTableStatuses
        self.catalog = catalog
        self.spaces = spaces
        self.configuration = configuration
        self.alignment = alignment
        self.blockingWork = blockingWork
        // Built with the spaces' embedders and dropped with them: a new model means new spaces and empty caches.
        self.queryEmbedding = Dictionary(
            uniqueKeysWithValues: spaces.map { space in
                (
                    space.name,
                    TextEmbeddingBatcher(
                        embedder: space.embedder, cache: QueryVectorCache(limits: configuration.queryVectorCache),
                        settings: configuration.queryBatching, blockingWork: blockingWork)
                )
            })
    }

    /// Every caption of an item has its own vector, so the nearest k vectors can belong to fewer than k items;
    /// fetching this many vectors per wanted item keeps the result list full.
    private let vectorsPerItem = 4
    /// Vectors fetched per searched text when scores are centred.
    private let centringPool = 100

    private struct Hit {
        var vectorID: Int64
        var score: Float
        var owner: VectorOwner
        var space: String
    }

    /// A checked request: what the caller asked for, with the defaults and bounds applied.
    private struct SearchPlan {
        let query: String
        let k: Int
        let paging: ResultPaging
        /// The catalog form of the request's filter; nil when unfiltered.
        let filter: ItemFilter?
        let ef: Int
        /// Vectors fetched per searched text and space.
        let fetch: Int
        let mode: QueryAlignment
        /// nil when the dictionary is not used (alignment off or centring only, or no usable dictionary).
        let aligner: QueryAligner?
    }

    /// validate → embed the query's texts → search each space → fuse → page. Each space embeds its texts in one
    /// batch (`QueryAligner.align`) before any index is searched, so no text of a query is embedded twice.
    func search(
        _ rawQuery: String, k requestedK: Int?, ef requestedEF: Int?, alignment requested: QueryAlignment = .full,
        paging: SearchPaging = SearchPaging()
    ) async throws -> SearchResponse {
        let started = ContinuousClock.now
        let plan = try validate(rawQuery, k: requestedK, ef: requestedEF, alignment: requested, paging: paging)
        // Per stream (dictionary sense), per space: every hit of the stream's texts, fused across spaces below.
        var streams: [[String: [SpaceVectorHit]]] = []
        var searched: [String] = [plan.query]
        var expansionCut = false
        for space in spaces {
            let aligned = try await metrics.time(.embed) { try await embedQuery(plan, in: space) }
            searched = aligned.texts
            expansionCut = expansionCut || aligned.expansionCut
            let spaceStreams = try await searchSpace(space, aligned: aligned, plan: plan)
            while streams.count < spaceStreams.count { streams.append([:]) }
            for (streamIndex, hits) in spaceStreams.enumerated() {
                streams[streamIndex][space.name, default: []].append(contentsOf: hits)
            }
        }
        let fusionStart = ContinuousClock.now
        let ranked = fuse(streams, fetch: plan.fetch).prefix(plan.paging.depth).map(SearchResult.init)
        metrics.record(.fusion, since: fusionStart)
        let page = plan.paging.page(Array(ranked))
        let elapsed = ContinuousClock.now - started
        var response = SearchResponse(
            query: plan.query, k: plan.k, ef: plan.ef, tookMilliseconds: elapsed.milliseconds,
            results: try withFields(page.results), aligned: plan.aligner != nil || plan.mode.usesCentring,
            searched: searched, expansionCut: plan.aligner == nil ? nil : expansionCut)
        response.offset = page.offset
        response.nextCursor = page.nextCursor
        if let requestedEF, requestedEF < plan.ef { response.efRequested = requestedEF }
        return response
    }

    /// The results with their items' user fields and photo facts.
    func withFields(_ results: [SearchResult]) throws -> [SearchResult] {
        let fields = try catalog.fields(externalIDs: results.map(\.id))
        let photos = try catalog.photoFacts(externalIDs: results.map(\.id))
        return results.map { result in
            var result = result
            result.fields = fields[result.id].flatMap(ItemFieldConversion.wire)
            result.photo = ItemFieldConversion.wire(photos[result.id])
            return result
        }
    }

    /// The live vectors of `space` a filtered search may return (nil: no filter).
    func allowedVectors(in space: EmbeddingSpace, filter: ItemFilter?) throws -> Set<Int64>? {
        guard let filter else { return nil }
        return try catalog.liveVectorIDs(space: space.name, matching: filter)
    }

    /// Bad input is refused before any embedding: an empty or over-long query, k or ef out of range.
    private func validate(
        _ rawQuery: String, k requestedK: Int?, ef requestedEF: Int?, alignment requested: QueryAlignment,
        paging requestedPaging: SearchPaging
    ) throws -> SearchPlan {
        // Without a usable dictionary, alignment is off altogether: plain vector search, as documented.
        let mode = requested.usesDictionary && alignment.aligner == nil ? .off : requested
        let query = rawQuery.trimmingCharacters(in: .whitespacesAndNewlines)
        let limits = configuration.limits
        guard !query.isEmpty else {
            throw ServiceError.invalid(.invalidQuery, "the query q is empty")
        }
        guard query.unicodeScalars.count <= limits.maxQueryCharacters else {
            throw ServiceError(
                .tooLarge, code: .queryTooLong,
                "the query is \(query.unicodeScalars.count) characters (Unicode code points) long; the limit is \(limits.maxQueryCharacters)"
            )
        }
        let k = requestedK ?? 10
        guard (1...limits.maxK).contains(k) else {
            throw ServiceError.invalid(.invalidK, "k must be between 1 and \(limits.maxK), got \(k)")
        }
        let hnsw = configuration.hnsw
        if let ef = requestedEF, !(1...hnsw.efSearchMax).contains(ef) {
            throw ServiceError.invalid(.invalidEF, "ef must be between 1 and \(hnsw.efSearchMax), got \(ef)")
        }
        let paging = try ResultPaging(
            k: k, paging: requestedPaging, request: "text|\(query)|align=\(requested)")
        let filter = try requestedPaging.filter.map(ItemFieldConversion.catalogFilter)
        // Centring shifts scores per caption language, so a language the raw scores disfavour needs a deeper pool.
        // A later page needs the ranking down to its own depth.
        let fetch = min(
            max(paging.depth * vectorsPerItem, mode.usesCentring ? centringPool : 0), hnsw.efSearchMax)
        // ef equal to the number fetched finds the best few but only ~80% of the whole fetched list (measured at
        // 100k: recall@100 0.82 at ef 100, 0.95 at ef 200), and centring re-ranks that whole list: by default search
        // twice as wide as what is fetched. An explicit ef is the caller's choice (never below what is fetched).
        let ef = requestedEF.map { max($0, fetch) } ?? min(max(hnsw.efSearchDefault, 2 * fetch), hnsw.efSearchMax)
        return SearchPlan(
            query: query, k: k, paging: paging, filter: filter, ef: ef, fetch: fetch, mode: mode,
            aligner: mode.usesDictionary ? alignment.aligner?.limited(by: configuration.queryExpansion) : nil
        )
    }

    /// The texts searched in one space, with their vectors: with the dictionary, the query and its translations
    /// (`QueryAligner.align`, each text embedded once); without it, the query alone. Vectors come from the
    /// space's cache or a batch shared with concurrent searches (`TextEmbeddingBatcher`).
    private func embedQuery(_ plan: SearchPlan, in space: EmbeddingSpace) async throws -> AlignedQuery {
        let batcher = queryEmbedding[space.name]!
        let query = plan.query
        let table = wordTables[space.name]
        if let aligner = plan.aligner {
            var stored: (@Sendable (String) -> [Float]?)?
            if let table { stored = { table.vector(for: $0) } }
            return try await aligner.align(query, stored: stored) { try await batcher.embed($0) }
        }
        let vector: [Float]
        if let stored = table?.vector(for: query) {
            vector = stored
        } else {
            vector = try await batcher.embed([query])[0]
        }
        let language: QueryLanguage? =
            if case .single(let detected) = LanguageDetector.detect(query) { detected } else { nil }
        return AlignedQuery(streams: [[QueryVariant(text: query, kind: .original, language: language, vector: vector)]])
    }

    /// Every hit of one space, per stream: each text's nearest live vectors, scored by raw cosine or, with
    /// centring, by the cosine centred on the caption's and the text's language means.
    private func searchSpace(_ space: EmbeddingSpace, aligned: AlignedQuery, plan: SearchPlan) async throws
        -> [[SpaceVectorHit]]
    {
        // Alignment's stage time: the language means before the index searches and the per-language scoring after.
        var alignmentStart = ContinuousClock.now
        let means = plan.mode.usesCentring ? try languageMeans.current(space: space, catalog: catalog) : nil
        let beforeIndex = ContinuousClock.now - alignmentStart
        let allowed = try allowedVectors(in: space, filter: plan.filter)
        let nearest: [String: [Hit]] = try await metrics.time(.index) {
            try await self.nearest(
                aligned, in: space, fetch: plan.fetch, ef: plan.ef, withVectors: means != nil, allowed: allowed)
        }
        alignmentStart = ContinuousClock.now - beforeIndex
        defer { if plan.mode != .off { metrics.record(.alignment, since: alignmentStart) } }
        var streams: [[SpaceVectorHit]] = []
        for variants in aligned.streams {
            // A caption in a language some text of the stream is written in is scored by those texts only:
            // same-language similarity is what the embedder measures best.
            let covered = Set(variants.compactMap { $0.language?.rawValue })
            var hits: [SpaceVectorHit] = []
            for variant in variants {
                let projections = means?.vectors.mapValues { VectorMath.dot(variant.vector, $0) } ?? [:]
                for hit in nearest[variant.text] ?? [] {
                    var score = hit.score
                    if let variantLanguage = variant.language?.rawValue, let language = hit.owner.captionLanguage,
                        language != variantLanguage, covered.contains(language)
                    {
                        continue
                    }
                    if let means, let language = hit.owner.captionLanguage,
                        let centred = means.centred(
                            score: hit.score, queryProjections: projections, queryLanguage: variant.language?.rawValue,
                            caption: hit.owner.vector, language: language)
                    {
                        // Centred scores count by how much the caption says (`ShortCaptionWeight`).
                        score = ShortCaptionWeight.apply(centred, caption: hit.owner.captions[language])
                    }
                    guard score.isFinite else { continue }
                    // A raw cosine of unit vectors can round to just past 1; every score stays within [−1, 1].
                    hits.append(SpaceVectorHit(owner: hit.owner, cosine: min(1, max(-1, score))))
                }
            }
            streams.append(hits)
        }
        return streams
    }

    /// Each stream's items fused across spaces (`SpaceFusion`), then the streams interleaved by sense.
    private func fuse(_ streams: [[String: [SpaceVectorHit]]], fetch: Int) -> [FusedItem] {
        let rankings = streams.map { stream in
            SpaceFusion.fuse(
                spaces.map { SpaceHits(space: $0.name, weights: $0.weights, hits: stream[$0.name] ?? []) }, k: fetch)
        }
        return Self.interleave(rankings)
    }

    /// The live vectors nearest to each distinct text of a query in one space, with each hit's owner.
    /// `withVectors`: also each hit's vector (centring computes its projections on the means).
    ///
    /// Why it is shaped so (profile of aligned queries at 100k, `docs/benchmarks.md` "Load"): each text is one task
    /// on the blocking pool that searches the index and then reads its own hits' owners, so a query with several
    /// texts keeps both cores busy through the catalog reads too (a hit two texts share is read twice, which costs
    /// less than waiting for every search before one read); the hits' vectors come from the index, which holds them
    /// in memory (float32 indexes, exactly the floats added), instead of being read back from the catalog and decoded
    /// from float16. An sq8 index holds only approximations, so its hits' vectors are still read from the catalog.
    private func nearest(
        _ aligned: AlignedQuery, in space: EmbeddingSpace, fetch: Int, ef: Int, withVectors: Bool,
        allowed: Set<Int64>?
    ) async throws -> [String: [Hit]] {
        var distinct: [(text: String, vector: [Float])] = []
        for variant in aligned.streams.joined() where !distinct.contains(where: { $0.text == variant.text }) {
            distinct.append((variant.text, variant.vector))
        }
        // A filter no live vector of this space passes needs no index search.
        if allowed?.isEmpty == true { return [:] }
        let excluded = space.unmarkedTombstones
        let index = space.index
        let catalog = self.catalog
        let vectorsFromIndex = withVectors && index.storesExactVectors
        let searchAndRead: @Sendable ([Float]) throws -> ([SearchHit], [Int64: VectorOwner]) = { vector in
            let found = try index.search(vector, k: fetch, ef: ef, excluding: excluded, allowing: allowed)
            let ids = found.map(\.id)
            var owners = try catalog.hits(vectorIDs: ids, includingVectors: withVectors && !vectorsFromIndex)
            if vectorsFromIndex {
                for (id, vector) in zip(ids, try index.storedVectors(ids: ids)) { owners[id]?.vector = vector }
            }
            return (found, owners)
        }
        let blockingWork = self.blockingWork
        var results = [([SearchHit], [Int64: VectorOwner])](repeating: ([], [:]), count: distinct.count)
        if distinct.count == 1 {
            let vector = distinct[0].vector
            results[0] = try await blockingWork.run { try searchAndRead(vector) }
        } else {
            try await withThrowingTaskGroup(of: (Int, [SearchHit], [Int64: VectorOwner]).self) { group in
                for (position, query) in distinct.enumerated() {
                    let vector = query.vector
                    group.addTask {
                        let (found, owners) = try await blockingWork.run { try searchAndRead(vector) }
                        return (position, found, owners)
                    }
                }
                for try await (position, found, owners) in group { results[position] = (found, owners) }
            }
        }
        var hits: [String: [Hit]] = [:]
        for (query, (found, owners)) in zip(distinct, results) {
            hits[query.text] = found.compactMap { hit in
                // A vector deleted after the search began is dropped here rather than shown.
                guard hit.score.isFinite, let owner = owners[hit.id], !owner.tombstoned else { return nil }
                return Hit(vectorID: hit.id, score: hit.score, owner: owner, space: space.name)
            }
        }
        return hits
    }

    /// The first stream (the dictionary's main sense) ranks the results; each further sense's best item is moved up
    /// to the second place (third for a third sense…) unless it already is in the top three, so both meanings of
    /// "bat" show up while the main sense's ranking stays as it is.
    private static func interleave(_ rankings: [[FusedItem]]) -> [FusedItem] {
        guard var merged = rankings.first else { return [] }
        for (offset, ranking) in rankings.dropFirst().enumerated() {
            guard let top = ranking.first else { continue }
            let position = min(offset + 1, merged.count)
            if merged.prefix(3).contains(where: { $0.matched.externalID == top.matched.externalID }) { continue }
            merged.removeAll { $0.matched.externalID == top.matched.externalID }
            merged.insert(top, at: min(position, merged.count))
        }
        return merged
    }
}

extension Duration {
    var milliseconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) * 1_000 + Double(attoseconds) / 1e15
    }
}

extension SearchEngine {
    /// The space's query-vector cache and batching counters, for `status()`.
    func queryEmbeddingStatus(space: String) -> QueryEmbeddingStatus? {
        guard let batcher = queryEmbedding[space] else { return nil }
        let cache = batcher.cache.counters
        let batches = batcher.counters
        return QueryEmbeddingStatus(
            cacheHits: cache.hits, cacheMisses: cache.misses, cacheEntries: cache.entries, cacheBytes: cache.bytes,
            cacheEvictions: cache.evictions, batches: batches.batches, batchedTexts: batches.texts)
    }
}
