import Foundation
import GlimpseCatalog
import Logging
import Synchronization

/// Queues rebuilds the daemon decides on itself: a compaction once too many of an index's points are tombstoned,
/// a retrain of an sq8 index whose ranges are still the [-1, 1] default once it holds enough vectors, and a
/// re-embed when the model changed. A compaction is queued only when no rebuild is queued or running, in the
/// same transaction as the check, so concurrent deletes cannot queue two. After a rebuild fails, no compaction is
/// queued automatically until one succeeds (or the daemon restarts), so a persistent failure (a full disk) does not
/// become an endless series of failing jobs.
struct AutoRebuild: Sendable {
    let catalog: Catalog
    let spaces: [EmbeddingSpace]
    let fraction: Double
    let logger: Logger
    private let lastRebuildFailed = FailureFlag()
    /// Set once this process queued an sq8 retrain: it is queued at most once per run, even if the rebuilt index
    /// somehow came out untrained again.
    private let retrainQueued = FailureFlag()

    /// An sq8 index whose first add had fewer than 1,000 vectors (a daemon that starts empty and fills through
    /// API batches) keeps [-1, 1] ranges, which cost recall (0.929 against 0.984 at recall@10 for trained ranges,
    /// issue 11). Once it holds this many live vectors, one rebuild retrains them: the rebuild's first catalog page
    /// (2,000 vectors) is one add of at least 1,000, which trains the ranges from the data. It is the shim's
    /// training minimum, so the rebuild always trains; the trained ranges are in every later snapshot, so a
    /// restart does not queue it again.
    static let sq8RetrainMinimumVectors = 1_000

    init(catalog: Catalog, spaces: [EmbeddingSpace], fraction: Double, logger: Logger) {
        self.catalog = catalog
        self.spaces = spaces
        self.fraction = fraction
        self.logger = logger
    }

    /// The worker reports each rebuild's outcome.
    func rebuildFinished(succeeded: Bool) {
        lastRebuildFailed.set(!succeeded)
    }

    /// After each job and at start: a compaction if one is due, else an sq8 retrain if one is due. Returns the
    /// queued job's id, if one was queued.
    @discardableResult
    func queueRebuildIfNeeded() -> Int64? {
        compactIfNeeded() ?? retrainRangesIfNeeded()
    }

    /// Spaces whose sq8 index still has [-1, 1] ranges but enough live vectors to train them.
    var spacesNeedingRangeTraining: [EmbeddingSpace] {
        spaces.filter { space in
            let index = space.index
            return index.parameters.vectorEncoding == .sq8 && !index.rangesTrainedFromData
                && index.count - space.tombstoneCount >= Self.sq8RetrainMinimumVectors
        }
    }

    /// Queues one rebuild (of every space, as every rebuild is) when an sq8 index needs its ranges trained, unless
    /// a rebuild is queued or running already (it trains them too), the last rebuild failed, or this process
    /// queued one already.
    @discardableResult
    func retrainRangesIfNeeded() -> Int64? {
        guard !retrainQueued.isSet, !lastRebuildFailed.isSet else { return nil }
        let untrained = spacesNeedingRangeTraining
        guard !untrained.isEmpty else { return nil }
        do {
            let payload = try JSONEncoder().encode(RebuildJobPayload(reason: "sq8_ranges_untrained"))
            guard
                let jobID = try catalog.enqueueJobUnlessPending(
                    kind: IndexRebuilder.jobKind, payload: payload, total: try catalog.counts().liveVectors)
            else { return nil }
            retrainQueued.set(true)
            logger.notice(
                "sq8 index ranges are still [-1, 1]; rebuild queued to train them from the catalog's vectors",
                metadata: [
                    "spaces": "\(untrained.map(\.name).joined(separator: ","))",
                    "points": "\(untrained.map { "\($0.index.count)" }.joined(separator: ","))", "job": "\(jobID)",
                ])
            return jobID
        } catch {
            logger.error("cannot queue the sq8 retrain rebuild", metadata: ["error": "\(error)"])
            return nil
        }
    }

    /// Returns the queued job's id, if one was queued.
    @discardableResult
    func compactIfNeeded() -> Int64? {
        guard fraction > 0, let space = spaces.first(where: { $0.tombstonedFraction > fraction }) else { return nil }
        guard !lastRebuildFailed.isSet else { return nil }
        do {
            let payload = try JSONEncoder().encode(RebuildJobPayload(reason: "tombstone_fraction"))
            guard
                let jobID = try catalog.enqueueJobUnlessPending(
                    kind: IndexRebuilder.jobKind, payload: payload, total: try catalog.counts().liveVectors)
            else { return nil }
            logger.notice(
                "tombstoned share of an index passed the limit; rebuild queued",
                metadata: [
                    "space": "\(space.name)", "tombstoned": "\(space.tombstoneCount)", "points": "\(space.index.count)",
                    "limit": "\(fraction)", "job": "\(jobID)",
                ])
            return jobID
        } catch {
            logger.error("cannot queue an automatic rebuild", metadata: ["error": "\(error)"])
            return nil
        }
    }

    /// A re-embedding rebuild for spaces whose stored vectors came from another model, unless one is pending already
    /// (a re-embed cut short by a restart resumes; it embeds with whatever model this process has).
    func reembedIfModelChanged() throws -> Int64? {
        let changed = spaces.filter(\.reembedPending)
        guard !changed.isEmpty else { return nil }
        let pending = try catalog.pendingJobs(kind: IndexRebuilder.jobKind).contains { job in
            (try? JSONDecoder().decode(RebuildJobPayload.self, from: job.payload))?.reembedThrough != nil
        }
        if pending {
            logger.notice(
                "the model changed; the pending re-embedding rebuild will embed with it",
                metadata: ["spaces": "\(changed.map(\.name).joined(separator: ","))"])
            return nil
        }
        let payload = try JSONEncoder().encode(
            RebuildJobPayload(reembedThrough: try catalog.maxVectorID(), reason: "model_changed"))
        let jobID = try catalog.enqueueJob(
            kind: IndexRebuilder.jobKind, payload: payload, total: try catalog.counts().liveVectors)
        logger.notice(
            "re-embedding rebuild queued because the model changed",
            metadata: ["spaces": "\(changed.map(\.name).joined(separator: ","))", "job": "\(jobID)"])
        return jobID
    }
}

/// A flag shared between the worker and request tasks: whether the last rebuild failed (set by the worker, read by
/// deletes), whether this process queued an sq8 retrain.
private final class FailureFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    var isSet: Bool { flag.load(ordering: .acquiring) }
    func set(_ value: Bool) { flag.store(value, ordering: .releasing) }
}
