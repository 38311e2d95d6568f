import Foundation
import GlimpseCatalog
import Logging

/// After a re-embed, writes the automatic captions again from the new image vectors: a new image model labels
/// pictures differently. Items with given captions are never touched. An item whose labels did not change costs
/// one labeler call and no write; one whose labels changed gets its new captions embedded in every space, and its
/// old caption vectors tombstoned, in one catalog transaction, then mirrored into the live indexes. Running it again
/// (a re-embed resumed after a crash) finds the captions already current.
struct AutomaticCaptionRefresh {
    let catalog: Catalog
    let spaces: [EmbeddingSpace]
    let captioner: AutomaticCaptioner
    let chunkSize: Int
    let logger: Logger
    let blockingWork: BlockingWork

    /// Returns false when stopped by shutdown.
    func run(isStopping: @Sendable () -> Bool) async throws -> Bool {
        guard spaces.contains(where: { $0.name == captioner.spaceName }) else { return true }
        var cursor: Int64 = 0
        var rewritten = 0
        while true {
            if isStopping() { return false }
            let chunk = try catalog.automaticCaptionSubjects(
                space: captioner.spaceName, after: cursor, limit: chunkSize)
            guard let last = chunk.last else { break }
            cursor = last.itemID
            for subject in chunk {
                let captions: [String: String]
                do {
                    captions = try await captioner.captions(forImageVector: subject.imageVector)
                } catch {
                    logger.warning(
                        "automatic captions could not be written again; the item keeps its old ones",
                        metadata: ["error": "\(error)"])
                    continue
                }
                guard captions != subject.captions else { continue }
                let languages = captions.keys.sorted()
                var vectors: [NewVector] = []
                for space in spaces {
                    let embedder = space.embedder
                    let texts = languages.map { captions[$0]! }
                    let embedded =
                        texts.isEmpty
                        ? []
                        : try await blockingWork.run {
                            try embedder.embed(texts, role: .passage)
                        }
                    for (language, vector) in zip(languages, embedded) {
                        vectors.append(
                            NewVector(space: space.name, source: .caption, captionLanguage: language, vector: vector))
                    }
                }
                guard
                    let (ids, tombstoned) = try catalog.replaceAutomaticCaptions(
                        itemID: subject.itemID, captions: captions, vectors: vectors)
                else { continue }
                for space in spaces {
                    space.tombstone(tombstoned)
                    let positions = vectors.indices.filter { vectors[$0].space == space.name }
                    try space.add(ids: positions.map { ids[$0] }, vectors: positions.map { vectors[$0].vector })
                }
                rewritten += 1
            }
        }
        logger.notice("automatic captions refreshed", metadata: ["items_rewritten": "\(rewritten)"])
        return true
    }
}
