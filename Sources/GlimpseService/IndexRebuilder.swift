import Foundation
import GlimpseAPI
import GlimpseCatalog
import GlimpseIndex
import Logging

/// Builds fresh indexes from the catalog's live vectors and swaps them in, compacting tombstoned vectors away.
///
/// It runs as a job of the ingest worker, so searches keep being served from the old index meanwhile and no ingest
/// adds vectors half-way through. Nothing is written until the swap, then a snapshot: a crash before it leaves the
/// old snapshot in place, and the job, still `running`, is re-queued and rebuilt from the start.
struct IndexRebuilder {
    let catalog: Catalog
    let spaces: [EmbeddingSpace]
    let configuration: ServiceConfiguration
    let logger: Logger
    var pageSize = 2_000

    static let jobKind = "rebuild"

    /// The HNSW parameters a rebuild request asks for, checked before the job is queued.
    static func parameters(for request: RebuildRequest, base: HNSWParameters) throws(ServiceError) -> HNSWParameters {
        var parameters = base
        if let m = request.m {
            guard (4...128).contains(m) else { throw .invalid("invalid_parameters", "m must be between 4 and 128, got \(m)") }
            parameters.m = m
        }
        if let efConstruction = request.efConstruction {
            parameters.efConstruction = efConstruction
        }
        // The same bounds as the daemon's configuration, so a rebuild cannot make an index a restart would refuse.
        guard (parameters.m...4_096).contains(parameters.efConstruction) else {
            throw .invalid(
                "invalid_parameters",
                "ef_construction must be between m (\(parameters.m)) and 4096, got \(parameters.efConstruction)")
        }
        return parameters
    }

    /// Returns false when stopped early by shutdown (the job stays running and resumes at the next start).
    func run(_ job: JobRecord, isStopping: @escaping @Sendable () -> Bool) async throws -> Bool {
        let request = try JSONDecoder().decode(RebuildRequest.self, from: job.payload)
        let parameters = try Self.parameters(for: request, base: configuration.hnsw)
        try catalog.setJobTotal(id: job.id, total: try catalog.counts().liveVectors)
        var progress = JobProgress()
        for space in spaces {
            let rebuilt = try HNSWIndex(dimension: space.embedder.dimension, parameters: parameters)
            let replay = CatalogReplay(
                catalog: catalog, space: space.name, dimension: space.embedder.dimension, logger: logger,
                pageSize: pageSize)
            let base = progress
            let outcome = try await BlockingWork.run { [catalog] in
                try replay.replay(into: rebuilt, after: 0) { page in
                    var now = base
                    now.done += page.added + page.skipped
                    now.failed += page.skipped
                    try catalog.updateJobProgress(id: job.id, progress: now)
                    return !isStopping()
                }
            }
            guard outcome.finished else { return false }
            progress.done += outcome.added + outcome.skipped
            progress.failed += outcome.skipped
            space.replaceIndex(with: rebuilt, watermark: max(outcome.watermark, space.watermark))
            try await BlockingWork.run { try space.writeSnapshot() }
            logger.info(
                "index rebuilt", metadata: ["space": "\(space.name)", "vectors": "\(rebuilt.count)", "m": "\(parameters.m)",
                                            "ef_construction": "\(parameters.efConstruction)"])
        }
        try catalog.finishJob(id: job.id, progress: progress)
        return true
    }
}
