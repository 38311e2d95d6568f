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

    func load(embedder: any TextEmbedder, snapshotURL: URL) throws -> EmbeddingSpace {
        let space = embedder.spaceName
        let (index, snapshotWatermark) = try loadSnapshot(at: snapshotURL, dimension: embedder.dimension)
        let replay = try CatalogReplay(
            catalog: catalog, space: space, dimension: embedder.dimension, logger: logger, pageSize: replayPageSize
        ).replay(into: index, after: snapshotWatermark)
        logger.info(
            "index ready",
            metadata: [
                "space": "\(space)", "vectors": "\(index.count)", "replayed": "\(replay.added)", "skipped": "\(replay.skipped)",
                "snapshot_watermark": "\(snapshotWatermark)",
            ])
        return EmbeddingSpace(
            embedder: embedder, index: index, snapshotURL: snapshotURL, watermark: replay.watermark,
            snapshotWatermark: snapshotWatermark, tombstones: try catalog.tombstonedVectorIDs(space: space))
    }

    private func loadSnapshot(at url: URL, dimension: Int) throws -> (HNSWIndex, Int64) {
        guard FileManager.default.fileExists(atPath: url.path) else {
            return (try HNSWIndex(dimension: dimension, parameters: parameters), 0)
        }
        do {
            let (index, watermark) = try HNSWIndex.read(from: url)
            guard index.dimension == dimension, index.parameters.m == parameters.m,
                index.parameters.efConstruction == parameters.efConstruction
            else {
                logger.notice(
                    "index snapshot was built with other parameters; rebuilding from the catalog",
                    metadata: ["path": "\(url.path)"])
                return (try HNSWIndex(dimension: dimension, parameters: parameters), 0)
            }
            return (index, watermark)
        } catch {
            // The catalog is the source of truth: a damaged snapshot is set aside and rebuilt, never trusted.
            let aside = url.appendingPathExtension("corrupt")
            try? FileManager.default.removeItem(at: aside)
            try? FileManager.default.moveItem(at: url, to: aside)
            logger.error(
                "index snapshot unreadable; rebuilding from the catalog",
                metadata: ["path": "\(url.path)", "error": "\(error)", "moved_to": "\(aside.path)"])
            return (try HNSWIndex(dimension: dimension, parameters: parameters), 0)
        }
    }
}
