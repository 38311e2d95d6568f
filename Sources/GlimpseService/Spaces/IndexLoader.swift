import Foundation
import GlimpseCatalog
import GlimpseEmbedding
import GlimpseIndex
import Logging

/// Brings a space's index up to date with the catalog at start-up: load the snapshot if it is sound, was built
/// with the configured parameters and was made from this catalog's current state (`SnapshotStamp`), otherwise start
/// empty (a rebuild), then replay every live vector newer than its watermark.
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
        let (index, snapshotWatermark, fresh) = try loadSnapshot(
            at: snapshotURL, space: space, dimension: embedder.dimension)
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

    /// The snapshot's index and watermark, or a new empty index (`fresh`) when there is no usable snapshot: none,
    /// unreadable, built with other parameters, or not made from this catalog's current state (its stamp is
    /// missing, names another catalog, or counts other vector rows than the catalog now holds up to its watermark).
    private func loadSnapshot(at url: URL, space: String, dimension: Int) throws -> (HNSWIndex, Int64, fresh: Bool) {
        func rebuild() throws -> (HNSWIndex, Int64, fresh: Bool) {
            (try HNSWIndex(dimension: dimension, parameters: parameters), 0, true)
        }
        guard FileManager.default.fileExists(atPath: url.path) else { return try rebuild() }
        let load: SnapshotLoad
        do {
            load = try HNSWIndex.load(from: url)
        } catch {
            // The catalog is the source of truth: a damaged snapshot is set aside and rebuilt, never trusted.
            let aside = url.appendingPathExtension("corrupt")
            try? FileManager.default.removeItem(at: aside)
            try? FileManager.default.moveItem(at: url, to: aside)
            logger.error(
                "index snapshot unreadable; rebuilding from the catalog",
                metadata: ["path": "\(url.path)", "error": "\(error)", "moved_to": "\(aside.path)"])
            return try rebuild()
        }
        if load.discardedSegmentBytes > 0 {
            logger.warning(
                "index snapshot segments torn or stale were dropped; the catalog replay re-adds what they held",
                metadata: [
                    "path": "\(url.path)", "discarded_segment_bytes": "\(load.discardedSegmentBytes)",
                    "segments_applied": "\(load.segmentsApplied)", "watermark": "\(load.watermark)",
                ])
        }
        let index = load.index
        guard index.dimension == dimension, index.parameters.m == parameters.m,
            index.parameters.efConstruction == parameters.efConstruction,
            index.parameters.vectorEncoding == parameters.vectorEncoding
        else {
            logger.notice(
                "index snapshot was built with other parameters; rebuilding from the catalog",
                metadata: ["path": "\(url.path)"])
            return try rebuild()
        }
        if let mismatch = try stampMismatch(snapshotURL: url, space: space, watermark: load.watermark) {
            logger.warning(
                "index snapshot was not made from this catalog's current state; rebuilding from the catalog",
                metadata: ["path": "\(url.path)", "space": "\(space)", "mismatch": "\(mismatch)"])
            return try rebuild()
        }
        return (index, load.watermark, false)
    }

    /// Why the snapshot's stamp does not match the catalog, or nil when it does.
    private func stampMismatch(snapshotURL: URL, space: String, watermark: Int64) throws -> String? {
        let stamp: SnapshotStamp
        do {
            guard let read = try SnapshotStamp.read(for: snapshotURL) else {
                return "the snapshot has no catalog stamp (\(SnapshotStamp.url(for: snapshotURL).lastPathComponent))"
            }
            stamp = read
        } catch {
            return "the catalog stamp is unreadable: \(error)"
        }
        let catalogID = try catalog.identity()
        if stamp.catalogID != catalogID {
            return "made from catalog \(stamp.catalogID), this catalog is \(catalogID)"
        }
        if stamp.space != space { return "made for space \(stamp.space)" }
        let files = try SnapshotStamp.files(of: snapshotURL)
        if stamp.files != files {
            return "the snapshot files (\(files)) are not the ones stamped (\(stamp.files))"
        }
        if stamp.watermark != watermark {
            // A crash between the snapshot and its stamp, or a torn last segment: which rows it holds is unknown.
            return "the stamp is for watermark \(stamp.watermark), the snapshot loaded holds \(watermark)"
        }
        let now = try catalog.vectorStamp(space: space, through: watermark)
        if now != stamp.vectors {
            return "through vector \(watermark) the snapshot was made from \(stamp.vectors.vectorCount) vector rows "
                + "(checksum \(stamp.vectors.vectorChecksum)), the catalog holds \(now.vectorCount) "
                + "(checksum \(now.vectorChecksum)): an older or other catalog"
        }
        return nil
    }
}

/// What identifies the catalog state an index snapshot was made from, kept beside it as `<snapshot>.catalog`
/// (JSON): the catalog's identity, the snapshot's watermark and the count and checksum of the space's vector rows
/// up to it. Written after every snapshot write; `IndexLoader` rebuilds from the catalog when any of it differs.
struct SnapshotStamp: Codable, Equatable {
    var catalogID: String
    var space: String
    var watermark: Int64
    var vectors: CatalogVectorStamp
    /// The snapshot files it stamps: "<base bytes>:<base CRC-32>:<segment bytes>", so a snapshot copied over this
    /// one (from another data directory, or a restored backup) is not taken for the one stamped.
    var files: String

    static func url(for snapshotURL: URL) -> URL {
        snapshotURL.deletingLastPathComponent().appendingPathComponent(snapshotURL.lastPathComponent + ".catalog")
    }

    /// Stamps the snapshot `space` just wrote (at its `snapshotWatermark`).
    static func write(for space: EmbeddingSpace, catalog: Catalog) throws {
        let watermark = space.snapshotWatermark
        let stamp = SnapshotStamp(
            catalogID: try catalog.identity(), space: space.name, watermark: watermark,
            vectors: try catalog.vectorStamp(space: space.name, through: watermark),
            files: try files(of: space.snapshotURL))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try encoder.encode(stamp).write(to: url(for: space.snapshotURL), options: .atomic)
    }

    /// Sizes and the base's trailing CRC-32 (which covers every byte before it): cheap to read, and different for
    /// any other snapshot.
    static func files(of snapshotURL: URL) throws -> String {
        func size(_ url: URL) -> UInt64 {
            ((try? FileManager.default.attributesOfItem(atPath: url.path))?[.size] as? NSNumber)?.uint64Value ?? 0
        }
        let baseBytes = size(snapshotURL)
        let handle = try FileHandle(forReadingFrom: snapshotURL)
        defer { try? handle.close() }
        try handle.seek(toOffset: baseBytes >= 4 ? baseBytes - 4 : 0)
        let crc = (try handle.readToEnd() ?? Data()).map { String(format: "%02x", $0) }.joined()
        let segments = snapshotURL.deletingLastPathComponent().appendingPathComponent(
            snapshotURL.lastPathComponent + ".segments")
        return "\(baseBytes):\(crc):\(size(segments))"
    }

    /// The stamp beside `snapshotURL`; nil when there is none.
    static func read(for snapshotURL: URL) throws -> SnapshotStamp? {
        let url = url(for: snapshotURL)
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        return try JSONDecoder().decode(SnapshotStamp.self, from: Data(contentsOf: url))
    }
}
