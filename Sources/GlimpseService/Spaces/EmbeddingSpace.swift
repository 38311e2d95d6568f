import Foundation
import GlimpseCatalog
import GlimpseEmbedding
import GlimpseIndex
import Synchronization

/// One embedding space: the embedder that defines it and the HNSW index over its vectors.
/// Vectors of different spaces are never compared, so each space has its own index and snapshot file.
final class EmbeddingSpace: Sendable {
    let embedder: any TextEmbedder
    /// Set for spaces that also embed images (CLIP): item images at ingest, example images at search.
    let imageEmbedder: (any ImageEmbedder)?
    let weights: SpaceWeights
    let snapshotURL: URL
    /// The index searches use; a rebuild replaces it whole while searches keep using the one they started with.
    private let current: Mutex<HNSWIndex>
    /// Vector ids replaced or deleted in the catalog that the current index still holds. HNSW cannot remove points,
    /// so they stay in the graph, marked deleted inside the index (no search returns them), until a rebuild
    /// leaves them out. The set here counts them and carries them into a rebuilt index.
    private let tombstones: Mutex<TombstoneSet>
    /// The model this process embeds with, and whether the catalog's vectors of this space were embedded by another.
    let model: ModelIdentity
    private let storedModel: Mutex<ModelIdentity>
    /// Highest catalog vector id in `index`, and how many were added since the last snapshot.
    private let progress: Mutex<(watermark: Int64, unsnapshotted: Int, snapshotWatermark: Int64)>

    var name: String { embedder.spaceName }

    init(
        embedder: any TextEmbedder, index: HNSWIndex, snapshotURL: URL, watermark: Int64, snapshotWatermark: Int64,
        tombstones: Set<Int64>, model: ModelIdentity, storedModel: ModelIdentity,
        imageEmbedder: (any ImageEmbedder)? = nil, weights: SpaceWeights = SpaceWeights()
    ) {
        self.embedder = embedder
        self.imageEmbedder = imageEmbedder
        self.weights = weights
        self.current = Mutex(index)
        self.snapshotURL = snapshotURL
        self.tombstones = Mutex(TombstoneSet(inIndex: tombstones, unmarked: Self.mark(tombstones, in: index)))
        self.model = model
        self.storedModel = Mutex(storedModel)
        self.progress = Mutex((watermark, Int(clamping: max(0, watermark - snapshotWatermark)), snapshotWatermark))
    }

    var index: HNSWIndex { current.withLock { $0 } }

    /// Swaps in a rebuilt index holding every live catalog vector up to `watermark`. Only the ingest worker adds
    /// and rebuilds, so no add can slip in between the rebuild's last page and the swap.
    /// Only the ids tombstoned since `beginCompaction()` can be in the rebuilt index (its pages were read after).
    func replaceIndex(with rebuilt: HNSWIndex, watermark: Int64) {
        // Both locks, in this order everywhere: a search never sees the new index with the old exclusions.
        tombstones.withLock { set in
            let carried = set.sinceCompactionBegan ?? set.inIndex
            let unmarked = Self.mark(carried, in: rebuilt)
            current.withLock { $0 = rebuilt }
            set.inIndex = carried
            set.unmarked = unmarked
            set.sinceCompactionBegan = nil
        }
        progress.withLock { state in
            state.watermark = watermark
            // The snapshot on disk describes the old index: the next one must be written.
            state.unsnapshotted = max(1, rebuilt.count)
        }
    }

    var watermark: Int64 { progress.withLock { $0.watermark } }
    var snapshotWatermark: Int64 { progress.withLock { $0.snapshotWatermark } }
    var vectorsSinceSnapshot: Int { progress.withLock { $0.unsnapshotted } }
    var tombstoneCount: Int { tombstones.withLock { $0.inIndex.count } }
    /// Ids every search must still exclude itself: tombstones the index failed to mark (normally none).
    var unmarkedTombstones: Set<Int64> { tombstones.withLock { $0.unmarked } }

    /// Marks `ids` deleted in `index`; returns them when that failed (out of memory), so searches exclude them.
    private static func mark(_ ids: Set<Int64>, in index: HNSWIndex) -> Set<Int64> {
        do {
            try index.markDeleted(ids)
            return []
        } catch {
            return ids
        }
    }

    /// Tombstoned points over all points of the current index (0 for an empty one).
    var tombstonedFraction: Double {
        tombstones.withLock { set in
            let count = current.withLock { $0.count }
            return count == 0 ? 0 : Double(set.inIndex.count) / Double(count)
        }
    }

    /// A rebuild is about to read the catalog's live vectors: from now on, remember tombstones separately, as
    /// they are the only ones the rebuilt index can hold.
    func beginCompaction() {
        tombstones.withLock { $0.sinceCompactionBegan = [] }
    }

    /// A rebuild that stopped before its swap: the old index stays, with all its tombstones.
    func abandonCompaction() {
        tombstones.withLock { $0.sinceCompactionBegan = nil }
    }

    var modelOfStoredVectors: ModelIdentity { storedModel.withLock { $0 } }
    var reembedPending: Bool { modelOfStoredVectors != model }
    func storedVectorsNowEmbedded(by model: ModelIdentity) { storedModel.withLock { $0 = model } }

    /// Adds freshly committed vectors. Only the ingest worker calls this, so ids arrive in increasing order.
    func add(ids: [Int64], vectors: [[Float]]) throws {
        guard !ids.isEmpty else { return }
        try index.add(ids: ids, vectors: vectors.flatMap { $0 })
        progress.withLock { state in
            state.watermark = max(state.watermark, ids.max()!)
            state.unsnapshotted += ids.count
        }
    }

    func tombstone(_ ids: [Int64]) {
        guard !ids.isEmpty else { return }
        tombstones.withLock { set in
            set.inIndex.formUnion(ids)
            set.sinceCompactionBegan?.formUnion(ids)
            // Under the tombstone lock, like `replaceIndex`, so a swap never drops a mark.
            set.unmarked.formUnion(Self.mark(Set(ids), in: current.withLock { $0 }))
        }
    }

    /// Writes the index atomically; the watermark tells the next start which catalog vectors to replay.
    func writeSnapshot() throws {
        let watermark = self.watermark
        try FileManager.default.createDirectory(
            at: snapshotURL.deletingLastPathComponent(), withIntermediateDirectories: true)
        try index.write(to: snapshotURL, watermark: watermark)
        progress.withLock { state in
            state.snapshotWatermark = watermark
            state.unsnapshotted = 0
        }
    }
}

/// The tombstones of a space's index, and during a rebuild the part of it the rebuilt index will need.
struct TombstoneSet {
    var inIndex: Set<Int64>
    /// Part of `inIndex` the index could not mark deleted; searches pass these as exclusions.
    var unmarked: Set<Int64>
    var sinceCompactionBegan: Set<Int64>?
}
