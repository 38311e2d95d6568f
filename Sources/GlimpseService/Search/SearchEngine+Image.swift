import Foundation
import GlimpseAPI
import GlimpseCatalog
import GlimpseImage

extension SearchEngine {
    /// Example image → distinct items, best first. The image is decoded once, embedded in every space that has an
    /// image embedder, searched in that space's index (where both image and caption vectors live) and fused as a
    /// text search is (`SpaceFusion`), over the image-capable spaces only.
    func searchImage(_ imageBytes: Data, k requestedK: Int?, ef requestedEF: Int?) async throws -> SearchResponse {
        let started = ContinuousClock.now
        let imageSpaces = spaces.filter { $0.imageEmbedder != nil }
        guard !imageSpaces.isEmpty else {
            throw ServiceError.invalid(
                .noImageSpace,
                "no embedding space of this daemon embeds images; configure a CLIP space (\"kind\": \"clip\") to search by image"
            )
        }
        let (k, fetch, ef) = try searchBounds(k: requestedK, ef: requestedEF)
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
            let hits = try await blockingWork.run {
                try space.index.search(vector, k: fetch, ef: ef, excluding: excluded)
            }
            let owners = try catalog.hits(vectorIDs: hits.map(\.id))
            perSpace.append(SpaceHits.resolve(space: space.name, weights: space.weights, hits: hits, owners: owners))
        }
        let results = SpaceFusion.fuse(perSpace, k: k).map(SearchResult.init)
        return SearchResponse(
            query: "", k: k, ef: ef, tookMilliseconds: (ContinuousClock.now - started).milliseconds, results: results,
            image: ImageQuery(
                format: decoded.format.rawValue, width: decoded.image.width, height: decoded.image.height,
                bytes: imageBytes.count, spaces: imageSpaces.map(\.name)))
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
