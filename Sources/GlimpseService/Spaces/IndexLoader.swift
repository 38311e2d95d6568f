import Foundation
import GlimpseCatalog
import GlimpseEmbedding
import GlimpseIndex
import Logging

/// Brings a space's index up to date with the catalog at start-up: load the snapshot if it is sound and was built
/// with the configured parameters, otherwise start empty, then replay every live vector newer than its watermark.
struct IndexLoader {
    let catalog: Catalog
    let parameters: HNSWParameters
    let logger: Logger
    var replayPageSize = 10_000
    var modelFingerprints: [String: String] = [:]

    func load(
        embedder: any TextEmbedder, snapshotURL: URL, imageEmbedder: (any ImageEmbedder)? = nil,
        weights: SpaceWeights = SpaceWeights()
    ) throws -> EmbeddingSpace {
        let space = embedder.spaceName
        let model = try ModelFingerprint.identity(of: embedder, configured: modelFingerprints[space])
        let record: IndexSpaceRecord
        if let stored = try catalog.indexSpace(space) {
            record = stored
            if stored.model != model {
                logger.notice(
                    "the model changed since this space's vectors were embedded; they will be embedded again",
                    metadata: [
                        "space": "\(space)", "stored_fingerprint": "\(stored.model.fingerprint)",
                        "stored_dimension": "\(stored.model.dimension)", "fingerprint": "\(model.fingerprint)",
                        "dimension": "\(model.dimension)",
                    ])
            }
        } else {
            // First start (or a catalog from before identities were recorded): the vectors are taken to be this model's.
            try catalog.setModelIdentity(model, space: space)
            record = IndexSpaceRecord(space: space, model: model, compactedAt: nil)
        }

        let started = Date()
        let (index, snapshotWatermark, fresh) = try loadSnapshot(at: snapshotURL, dimension: embedder.dimension)
        if fresh {
            // An index filled from live vectors only holds no tombstone from before now.
            try catalog.setCompactedAt(started, space: space)
        }
        var tombstones: Set<Int64> = []
        if !fresh {
            tombstones = try catalog.tombstonedVectorIDs(
                space: space, through: snapshotWatermark, since: record.compactedAt)
        }
        let replay = try CatalogReplay(
            catalog: catalog, space: space, dimension: embedder.dimension, logger: logger, pageSize: replayPageSize
        ).replay(into: index, after: snapshotWatermark)
        logger.info(
            "index ready",
            metadata: [
                "space": "\(space)", "vectors": "\(index.count)", "replayed": "\(replay.added)",
                "skipped": "\(replay.skipped)",
                "snapshot_watermark": "\(snapshotWatermark)", "tombstoned_in_index": "\(tombstones.count)",
            ])
        return EmbeddingSpace(
            embedder: embedder, index: index, snapshotURL: snapshotURL, watermark: replay.watermark,
            snapshotWatermark: snapshotWatermark, tombstones: tombstones, model: model, storedModel: record.model,
            imageEmbedder: imageEmbedder, weights: weights)
    }

    /// The snapshot's index and watermark, or a new empty index (`fresh`) when there is no usable snapshot.
    private func loadSnapshot(at url: URL, dimension: Int) throws -> (HNSWIndex, Int64, fresh: Bool) {
        guard FileManager.default.fileExists(atPath: url.path) else {
            return (try HNSWIndex(dimension: dimension, parameters: parameters), 0, true)
        }
        do {
            let (index, watermark) = try HNSWIndex.read(from: url)
            guard index.dimension == dimension, index.parameters.m == parameters.m,
                index.parameters.efConstruction == parameters.efConstruction
            else {
                logger.notice(
                    "index snapshot was built with other parameters; rebuilding from the catalog",
                    metadata: ["path": "\(url.path)"])
                return (try HNSWIndex(dimension: dimension, parameters: parameters), 0, true)
            }
            return (index, watermark, false)
        } catch {
            // The catalog is the source of truth: a damaged snapshot is set aside and rebuilt, never trusted.
            let aside = url.appendingPathExtension("corrupt")
            try? FileManager.default.removeItem(at: aside)
            try? FileManager.default.moveItem(at: url, to: aside)
            logger.error(
                "index snapshot unreadable; rebuilding from the catalog",
                metadata: ["path": "\(url.path)", "error": "\(error)", "moved_to": "\(aside.path)"])
            return (try HNSWIndex(dimension: dimension, parameters: parameters), 0, true)
        }
    }
}
