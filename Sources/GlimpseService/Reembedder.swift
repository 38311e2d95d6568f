import Foundation
import GlimpseAPI
import GlimpseCatalog
import Logging

/// Embeds every live caption vector of a space up to a vector id again with the space's current embedder, one
/// chunk per catalog transaction, and mirrors each chunk into the live index (new points added, old ones excluded).
struct Reembedder {
    let catalog: Catalog
    let space: EmbeddingSpace
    let chunkSize: Int
    let logger: Logger

    /// Returns false when stopped by shutdown; the job resumes after the last committed chunk.
    func run(through: Int64, jobID: Int64, progress: inout JobProgress, isStopping: @Sendable () -> Bool) async throws -> Bool {
        var cursor: Int64 = 0
        var reembedded = 0
        logger.info("re-embedding started", metadata: ["space": "\(space.name)", "through_vector": "\(through)"])
        while true {
            if isStopping() { return false }
            let chunk = try catalog.liveCaptionVectors(space: space.name, after: cursor, through: through, limit: chunkSize)
            guard let last = chunk.last else { break }
            cursor = last.vectorID
            let embedder = space.embedder
            let texts = chunk.map(\.text)
            let vectors = try await BlockingWork.run { try embedder.embed(texts, role: .passage) }
            let replacements = try catalog.replaceVectors(zip(chunk, vectors).map { (oldID: $0.vectorID, vector: $1) })
            let newVectors = Dictionary(uniqueKeysWithValues: zip(chunk.map(\.vectorID), vectors))
            try space.add(ids: replacements.map(\.newID), vectors: replacements.map { newVectors[$0.oldID]! })
            space.tombstone(replacements.map(\.oldID))
            reembedded += replacements.count
            progress.done += chunk.count
            try catalog.updateJobProgress(id: jobID, progress: progress)
        }
        try catalog.setModelIdentity(space.model, space: space.name)
        space.storedVectorsNowEmbedded(by: space.model)
        logger.notice(
            "re-embedding finished", metadata: ["space": "\(space.name)", "vectors": "\(reembedded)", "fingerprint": "\(space.model.fingerprint)"])
        return true
    }
}
