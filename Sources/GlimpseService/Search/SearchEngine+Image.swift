import Crypto
import Foundation
import GlimpseAPI
import GlimpseCatalog
import GlimpseImage

extension SearchEngine {
    /// Example image → distinct items, best first. The image is decoded once, embedded in every space that has an
    /// image embedder, searched in that space's index (where both image and caption vectors live) and fused as a
    /// text search is (`SpaceFusion`), over the image-capable spaces only.
    func searchImage(
        _ imageBytes: Data, k requestedK: Int?, ef requestedEF: Int?,
        paging requestedPaging: SearchPaging = SearchPaging()
    ) async throws -> SearchResponse {
        let started = ContinuousClock.now
        let imageSpaces = spaces.filter { $0.imageEmbedder != nil }
        guard !imageSpaces.isEmpty else {
            throw ServiceError.invalid(
                .noImageSpace,
                "no embedding space of this daemon embeds images; configure a CLIP space (\"kind\": \"clip\") to search by image"
            )
        }
        let (k, _, ef) = try searchBounds(k: requestedK, ef: requestedEF)
        let paging = try ResultPaging(
            k: k, paging: requestedPaging,
            request: "image|\(SHA256.hash(data: imageBytes).map { String(format: "%02x", $0) }.joined())")
        let filter = try requestedPaging.filter.map(ItemFieldConversion.catalogFilter)
        let fetch = min(paging.depth * 4, configuration.hnsw.efSearchMax)
        let decoder = ImageDecoder(limits: configuration.imageDecodingLimits)
        let decoded: (image: RGBImage, format: ImageFormat)
        do {
            decoded = try await blockingWork.run {
                (try decoder.decode(imageBytes), try decoder.header(imageBytes).format)
            }
        } catch let error as ImageDecodingError {
            throw ServiceError.invalid(
                APIErrorCode(rawValue: error.code) ?? .imageCorrupt,
                "the example image cannot be used: \(error.message)")
        }
        var perSpace: [SpaceHits] = []
        for space in imageSpaces {
            let embedder = space.imageEmbedder!
            let image = decoded.image
            let vector = try await blockingWork.run { try embedder.embed(images: [image])[0] }
            let excluded = space.unmarkedTombstones
            let allowed = try allowedVectors(in: space, filter: filter)
            let hits =
                allowed?.isEmpty == true
                ? []
                : try await blockingWork.run {
                    try space.index.search(vector, k: fetch, ef: ef, excluding: excluded, allowing: allowed)
                }
            let owners = try catalog.hits(vectorIDs: hits.map(\.id))
            perSpace.append(SpaceHits.resolve(space: space.name, weights: space.weights, hits: hits, owners: owners))
        }
        let page = paging.page(SpaceFusion.fuse(perSpace, k: paging.depth).map(SearchResult.init))
        var response = SearchResponse(
            query: "", k: k, ef: ef, tookMilliseconds: (ContinuousClock.now - started).milliseconds,
            results: try withFields(page.results),
            image: ImageQuery(
                format: decoded.format.rawValue, width: decoded.image.width, height: decoded.image.height,
                bytes: imageBytes.count, spaces: imageSpaces.map(\.name)))
        response.offset = page.offset
        response.nextCursor = page.nextCursor
        if let requestedEF, requestedEF < ef { response.efRequested = requestedEF }
        return response
    }

    /// k and ef checked against the limits, and how many vectors to fetch per space (as a text search does).
    private func searchBounds(k requestedK: Int?, ef requestedEF: Int?) throws -> (k: Int, fetch: Int, ef: Int) {
        let k = requestedK ?? 10
        guard (1...configuration.limits.maxK).contains(k) else {
            throw ServiceError.invalid(.invalidK, "k must be between 1 and \(configuration.limits.maxK), got \(k)")
        }
        let hnsw = configuration.hnsw
        if let ef = requestedEF, !(1...hnsw.efSearchMax).contains(ef) {
            throw ServiceError.invalid(.invalidEF, "ef must be between 1 and \(hnsw.efSearchMax), got \(ef)")
        }
        let fetch = min(k * 4, hnsw.efSearchMax)  // 4 vectors per wanted item, as `search` fetches
        return (k, fetch, max(requestedEF ?? hnsw.efSearchDefault, fetch))
    }
}
