import Foundation
import GlimpseCatalog
import Logging
import Synchronization

/// Queues rebuilds the daemon decides on itself: a compaction once too many of an index's points are tombstoned,
/// and a re-embed when the model changed. A compaction is queued only when no rebuild is queued or running, in the
/// same transaction as the check, so concurrent deletes cannot queue two. After a rebuild fails, no compaction is
/// queued automatically until one succeeds (or the daemon restarts), so a persistent failure (a full disk) does not
/// become an endless series of failing jobs.
struct AutoRebuild: Sendable {
    let catalog: Catalog
    let spaces: [EmbeddingSpace]
    let fraction: Double
    let logger: Logger
    private let lastRebuildFailed = FailureFlag()

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

/// Whether the last rebuild failed; set by the worker, read by deletes on request tasks.
private final class FailureFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    var isSet: Bool { flag.load(ordering: .acquiring) }
    func set(_ value: Bool) { flag.store(value, ordering: .releasing) }
}
