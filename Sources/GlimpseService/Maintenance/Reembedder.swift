import Foundation
import GlimpseAPI
import GlimpseCatalog
import GlimpseImage
import Logging

/// Embeds every live caption vector of a space up to a vector id again with the space's current embedder, one
/// chunk per catalog transaction, and mirrors each chunk into the live index (new points added, old ones excluded).
/// In a space that embeds images, the image vectors follow: each item's image is read and embedded again; one that
/// can no longer be read or decoded loses its old vector (it would be compared with another model's queries).
struct Reembedder {
    let catalog: Catalog
    let space: EmbeddingSpace
    let chunkSize: Int
    let logger: Logger
    let blockingWork: BlockingWork
    var imageRoots: ImageRoots = .anywhere
    var imageLimits: ImageDecodingLimits = .default

    /// Returns false when stopped by shutdown; the job resumes after the last committed chunk.
    func run(through: Int64, jobID: Int64, progress: inout JobProgress, isStopping: @Sendable () -> Bool) async throws
        -> Bool
    {
        var cursor: Int64 = 0
        var reembedded = 0
        logger.info("re-embedding started", metadata: ["space": "\(space.name)", "through_vector": "\(through)"])
        while true {
            if isStopping() { return false }
            let chunk = try catalog.liveCaptionVectors(
                space: space.name, after: cursor, through: through, limit: chunkSize)
            guard let last = chunk.last else { break }
            cursor = last.vectorID
            let embedder = space.embedder
            let texts = chunk.map(\.text)
            let vectors = try await blockingWork.run { try embedder.embed(texts, role: .passage) }
            let replacements = try catalog.replaceVectors(zip(chunk, vectors).map { (oldID: $0.vectorID, vector: $1) })
            let newVectors = Dictionary(uniqueKeysWithValues: zip(chunk.map(\.vectorID), vectors))
            try space.add(ids: replacements.map(\.newID), vectors: replacements.map { newVectors[$0.oldID]! })
            space.tombstone(replacements.map(\.oldID))
            reembedded += replacements.count
            progress.done += chunk.count
            try catalog.updateJobProgress(id: jobID, progress: progress)
        }
        if space.imageEmbedder != nil {
            guard try await reembedImages(through: through, jobID: jobID, progress: &progress, isStopping: isStopping)
            else { return false }
        }
        try catalog.setModelIdentity(space.model, space: space.name)
        space.storedVectorsNowEmbedded(by: space.model)
        logger.notice(
            "re-embedding finished",
            metadata: [
                "space": "\(space.name)", "vectors": "\(reembedded)", "fingerprint": "\(space.model.fingerprint)",
            ])
        return true
    }

    private func reembedImages(
        through: Int64, jobID: Int64, progress: inout JobProgress, isStopping: @Sendable () -> Bool
    ) async throws -> Bool {
        let step = ItemImageEmbedding(spaces: [space], limits: imageLimits, blockingWork: blockingWork)
        var cursor: Int64 = 0
        while true {
            if isStopping() { return false }
            let chunk = try catalog.liveImageVectors(
                space: space.name, after: cursor, through: through, limit: chunkSize)
            guard let last = chunk.last else { return true }
            cursor = last.vectorID
            // A file that cannot be read is lost like one that cannot be decoded; its read error is what is logged.
            var readable: [ImageVectorSource] = []
            var images: [(path: String, bytes: Data)] = []
            var lost: [Int64] = []
            for source in chunk {
                do {
                    images.append(
                        (
                            source.imagePath,
                            try ImageFileReader.read(
                                source.imagePath, imageRoots: imageRoots, maxBytes: imageLimits.maxFileBytes)
                        ))
                    readable.append(source)
                } catch {
                    lost.append(source.vectorID)
                    logger.warning(
                        "image cannot be read again; its old image vector is dropped",
                        metadata: ["space": "\(space.name)", "error": "\(error)"])
                }
            }
            var embedded: [(oldID: Int64, vector: [Float])] = []
            for (source, outcome) in zip(readable, await step.embed(images)) {
                switch outcome {
                case .success(let vectors): embedded.append((source.vectorID, vectors[space.name]!))
                case .failure(let failure):
                    lost.append(source.vectorID)
                    logger.warning(
                        "image cannot be embedded again; its old image vector is dropped",
                        metadata: ["space": "\(space.name)", "error": "\(failure.message)"])
                }
            }
            let replacements = try catalog.replaceVectors(embedded)
            let newVectors = Dictionary(uniqueKeysWithValues: embedded.map { ($0.oldID, $0.vector) })
            try space.add(ids: replacements.map(\.newID), vectors: replacements.map { newVectors[$0.oldID]! })
            space.tombstone(replacements.map(\.oldID) + (try catalog.tombstoneVectors(lost)))
            progress.done += chunk.count
            try catalog.updateJobProgress(id: jobID, progress: progress)
        }
    }
}
