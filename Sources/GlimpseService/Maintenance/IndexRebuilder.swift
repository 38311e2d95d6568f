import Foundation
import GlimpseAPI
import GlimpseCatalog
import GlimpseIndex
import Logging

/// What a rebuild job carries: the request's parameters and, for a re-embed, the highest vector id at the time it
/// was queued. Every live caption vector up to that id is embedded again; vectors above it were embedded by this
/// model already. A re-embed cut short by a crash therefore resumes where it stopped: the vectors it replaced are
/// no longer live.
struct RebuildJobPayload: Codable, Equatable {
    var m: Int?
    var efConstruction: Int?
    var reembedThrough: Int64?
    /// Who asked: "admin" for `POST /v1/admin/rebuild`, else why the daemon queued it itself.
    var reason: String?

    var request: RebuildRequest { RebuildRequest(m: m, efConstruction: efConstruction, reembed: reembedThrough != nil) }

    enum CodingKeys: String, CodingKey {
        case m, reason
        case efConstruction = "ef_construction"
        case reembedThrough = "reembed_through"
    }
}

/// Builds fresh indexes from the catalog's live vectors and swaps them in, compacting tombstoned vectors away;
/// for a re-embed, first embeds every live caption again with the current model.
///
/// It runs as a job of the ingest worker, so searches keep being served from the old index meanwhile and no ingest
/// adds vectors half-way through. Nothing is written until the swap, then a snapshot: a crash before it leaves the
/// old snapshot in place, and the job, still `running`, is re-queued and rebuilt from the start. Re-embedding
/// commits each chunk's new vectors (and tombstones the old ones) in one transaction and adds them to the live
/// index at once, so searches keep finding every item throughout.
struct IndexRebuilder {
    let catalog: Catalog
    let spaces: [EmbeddingSpace]
    let configuration: ServiceConfiguration
    let logger: Logger
    let blockingWork: BlockingWork
    var pageSize = 2_000
    /// Rewrites automatic captions after a re-embed, when the service labels pictures.
    var captioner: AutomaticCaptioner?

    static let jobKind = JobKind.rebuild.rawValue

    /// The HNSW parameters a rebuild request asks for, checked before the job is queued.
    static func parameters(for request: RebuildRequest, base: HNSWParameters) throws(ServiceError) -> HNSWParameters {
        var parameters = base
        if let m = request.m {
            guard (4...128).contains(m) else {
                throw .invalid(.invalidParameters, "m must be between 4 and 128, got \(m)")
            }
            parameters.m = m
        }
        if let efConstruction = request.efConstruction {
            parameters.efConstruction = efConstruction
        }
        // The same bounds as the daemon's configuration, so a rebuild cannot make an index a restart would refuse.
        guard (parameters.m...4_096).contains(parameters.efConstruction) else {
            throw .invalid(
                .invalidParameters,
                "ef_construction must be between m (\(parameters.m)) and 4096, got \(parameters.efConstruction)")
        }
        return parameters
    }

    /// Returns false when stopped early by shutdown (the job stays running and resumes at the next start).
    func run(_ job: JobRecord, isStopping: @escaping @Sendable () -> Bool) async throws -> Bool {
        let payload = try JSONDecoder().decode(RebuildJobPayload.self, from: job.payload)
        let parameters = try Self.parameters(for: payload.request, base: configuration.hnsw)
        let live = try catalog.counts().liveVectors
        try catalog.setJobTotal(id: job.id, total: payload.reembedThrough == nil ? live : 2 * live)
        var progress = JobProgress()
        if let through = payload.reembedThrough {
            for space in spaces {
                var reembedder = Reembedder(
                    catalog: catalog, space: space, chunkSize: configuration.ingestChunkSize, logger: logger,
                    blockingWork: blockingWork)
                reembedder.imageRoots = configuration.imageRoots
                reembedder.imageLimits = configuration.imageDecodingLimits
                guard
                    try await reembedder.run(
                        through: through, jobID: job.id, progress: &progress, isStopping: isStopping)
                else { return false }
            }
            // The image vectors are new: the labels read from them may be too.
            if let captioner {
                let refresh = AutomaticCaptionRefresh(
                    catalog: catalog, spaces: spaces, captioner: captioner, chunkSize: configuration.ingestChunkSize,
                    logger: logger, blockingWork: blockingWork)
                guard try await refresh.run(isStopping: isStopping) else { return false }
            }
        }
        for space in spaces {
            let rebuilt = try HNSWIndex(dimension: space.embedder.dimension, parameters: parameters)
            // Searches keep running on the old index meanwhile: the build takes one low-priority thread.
            rebuilt.setInsertion(.background(threads: 1))
            let replay = CatalogReplay(
                catalog: catalog, space: space.name, dimension: space.embedder.dimension, logger: logger,
                pageSize: pageSize)
            let base = progress
            // From here the catalog is read page by page: a vector tombstoned before its page is read is left out.
            let compactionStarted = Date()
            space.beginCompaction()
            let outcome: CatalogReplay.Outcome
            do {
                outcome = try await blockingWork.run { [catalog] in
                    try replay.replay(into: rebuilt, after: 0) { page in
                        var now = base
                        now.done += page.added + page.skipped
                        now.failed += page.skipped
                        try catalog.updateJobProgress(id: job.id, progress: now)
                        return !isStopping()
                    }
                }
            } catch {
                space.abandonCompaction()
                throw error
            }
            guard outcome.finished else {
                space.abandonCompaction()
                return false
            }
            progress.done += outcome.added + outcome.skipped
            progress.failed += outcome.skipped
            rebuilt.setInsertion(.foreground)
            space.replaceIndex(with: rebuilt, watermark: max(outcome.watermark, space.watermark))
            try await blockingWork.run { [catalog] in
                try space.writeSnapshot()
                try SnapshotStamp.write(for: space, catalog: catalog)
            }
            try catalog.setCompactedAt(compactionStarted, space: space.name)
            logger.info(
                "index rebuilt",
                metadata: [
                    "space": "\(space.name)", "vectors": "\(rebuilt.count)", "m": "\(parameters.m)",
                    "ef_construction": "\(parameters.efConstruction)", "tombstoned_in_index": "\(space.tombstoneCount)",
                    "reason": "\(payload.reason ?? "admin")",
                ])
        }
        try catalog.finishJob(id: job.id, progress: progress)
        return true
    }
}
