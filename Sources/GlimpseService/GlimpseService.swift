import Foundation
import GlimpseAPI
import GlimpseCatalog
import GlimpseEmbedding
import GlimpseIndex
import Logging
import ServiceLifecycle

/// The daemon's behaviour without its transport: accept ingests, embed them in the background, answer searches.
/// As a swift-service-lifecycle `Service`, `run()` is the ingest worker; on graceful shutdown it finishes the chunk
/// in progress and writes index snapshots.
public final class GlimpseService: Service, Sendable {
    public let configuration: ServiceConfiguration
    let catalog: Catalog
    let spaces: [EmbeddingSpace]
    let worker: IngestWorker
    let searchEngine: SearchEngine
    private let validator: IngestValidator
    private let modelPath: String
    private let logger: Logger
    private let autoRebuild: AutoRebuild
    /// The bounded thread pool the worker and searches run blocking work on; it ends with the service.
    let blockingWork: BlockingWork
    /// Zero-shot recognition in an image space, when one is configured (recognize, automatic captions).
    public let labeler: (any ImageLabeler)?

    /// Opens the catalog (running migrations), re-queues jobs a crash left running, and loads or rebuilds each
    /// space's index from its snapshot plus the catalog.
    public convenience init(
        configuration: ServiceConfiguration, embedders: [any TextEmbedder], modelPath: String, logger: Logger
    ) throws {
        try self.init(
            configuration: configuration, spaces: embedders.map { SpaceModel(text: $0) }, modelPath: modelPath,
            logger: logger)
    }

    /// `spaces`: one per embedding space, each with its own index; names must differ. `metrics`: where search-stage
    /// timings and ingest counts go (swift-metrics' global factory unless given).
    public init(
        configuration: ServiceConfiguration, spaces models: [SpaceModel], modelPath: String, logger: Logger,
        metrics: ServiceMetrics = ServiceMetrics(), labeler: (any ImageLabeler)? = nil
    ) throws {
        precondition(!models.isEmpty, "a service needs at least one embedding space")
        precondition(Set(models.map(\.spaceName)).count == models.count, "embedding space names must differ")
        try FileManager.default.createDirectory(at: configuration.dataDirectory, withIntermediateDirectories: true)
        self.configuration = configuration
        self.modelPath = modelPath
        self.logger = logger
        let catalog = try Catalog(CatalogConfiguration(path: configuration.catalogPath))
        let requeued = try catalog.requeueRunningJobs()
        if requeued > 0 {
            logger.notice("re-queued jobs interrupted by the previous run", metadata: ["jobs": "\(requeued)"])
        }
        var loader = IndexLoader(catalog: catalog, parameters: configuration.hnsw, logger: logger)
        loader.modelFingerprints = configuration.modelFingerprints
        let spaces = try models.map { model in
            try loader.load(
                embedder: model.text, snapshotURL: configuration.snapshotURL(space: model.spaceName),
                imageEmbedder: model.image, weights: model.weights)
        }
        self.catalog = catalog
        self.spaces = spaces
        self.labeler = labeler
        let autoRebuild = AutoRebuild(
            catalog: catalog, spaces: spaces, fraction: configuration.autoRebuildTombstoneFraction, logger: logger)
        self.autoRebuild = autoRebuild
        let blockingWork = BlockingWork(threads: configuration.blockingThreads)
        self.blockingWork = blockingWork
        self.worker = IngestWorker(
            catalog: catalog, spaces: spaces, configuration: configuration, logger: logger, autoRebuild: autoRebuild,
            blockingWork: blockingWork, metrics: metrics,
            captioner: AutomaticCaptioner(labeler: labeler, settings: configuration.automaticCaptions))
        let alignment = CrossLingualAlignment.load(
            dictionaryPath: configuration.dictionaryPath, cedictPath: configuration.cedictPath, logger: logger)
        let wordTables = WordVectorTableAttachment.attach(
            configuration: configuration, spaces: models.map(\.text), alignmentOn: alignment.aligner != nil,
            logger: logger)
        self.searchEngine = SearchEngine(
            catalog: catalog, spaces: spaces, configuration: configuration, alignment: alignment,
            blockingWork: blockingWork, metrics: metrics, wordTables: wordTables.tables,
            wordTableStatuses: wordTables.statuses)
        self.validator = IngestValidator(
            limits: configuration.limits, imageRoots: configuration.imageRoots,
            hasImageSpace: spaces.contains { $0.imageEmbedder != nil })
        if try autoRebuild.reembedIfModelChanged() == nil {
            autoRebuild.queueRebuildIfNeeded()
        }
    }

    public func run() async throws {
        await withGracefulShutdownHandler {
            await worker.run()
        } onGracefulShutdown: {
            self.worker.stop()
        }
        await worker.writeSnapshots()
        logger.info("ingest worker stopped")
    }

    /// Commits an ingest job and returns once it is durable; embedding happens later in the background.
    public func ingest(_ items: [IngestItem]) throws -> IngestAccepted {
        try validator.validate(items)
        let payload = try JSONEncoder().encode(IngestBatch(items: items))
        let jobID: Int64
        do {
            jobID = try catalog.enqueueJob(kind: JobKind.ingest.rawValue, payload: payload, total: items.count)
        } catch {
            throw ServiceError.mappingStorageFull(error, while: "queueing the ingest job")
        }
        worker.wake()
        return IngestAccepted(jobID: jobID, state: .queued, accepted: items.count)
    }

    /// Queues a rebuild of every space's index from the catalog; searches keep using the old index until the swap.
    public func rebuild(_ request: RebuildRequest) throws -> RebuildAccepted {
        _ = try IndexRebuilder.parameters(for: request, base: configuration.hnsw)
        let payload = try JSONEncoder().encode(
            RebuildJobPayload(
                m: request.m, efConstruction: request.efConstruction,
                reembedThrough: request.reembed == true ? try catalog.maxVectorID() : nil, reason: "admin"))
        let jobID: Int64
        do {
            jobID = try catalog.enqueueJob(
                kind: IndexRebuilder.jobKind, payload: payload, total: try catalog.counts().liveVectors)
        } catch {
            throw ServiceError.mappingStorageFull(error, while: "queueing the rebuild")
        }
        worker.wake()
        return RebuildAccepted(jobID: jobID, state: .queued)
    }

    public func job(id: Int64) throws -> JobResponse {
        guard let job = try catalog.job(id: id) else {
            throw ServiceError(.notFound, code: .notFound, "no job with id \(id)")
        }
        // The catalog stores the kind's raw value; only this service writes it.
        guard let kind = JobKind(rawValue: job.kind) else {
            throw ServiceError(.internal, code: .internal, "job \(id) has an unknown kind \(job.kind)")
        }
        // A job a full disk failed before the catalog could record it is reported as the worker holds it.
        let unrecorded = worker.unrecordedFinish(jobID: id)
        let progress = unrecorded ?? job.progress
        let state = unrecorded != nil ? .failed : JobState(rawValue: job.state.rawValue) ?? .failed
        return JobResponse(
            id: job.id, kind: kind, state: state, total: job.total,
            done: progress.done, failed: progress.failed, inserted: progress.inserted, updated: progress.updated,
            unchanged: progress.unchanged,
            errors: progress.errors.map { JobItemFailure(index: $0.index, id: $0.externalID, message: $0.message) },
            createdAt: Self.timestamp(job.createdAt), updatedAt: Self.timestamp(job.updatedAt))
    }

    /// `align: false` searches the query text alone with raw cosine scores, for comparison.
    public func search(_ query: String, k: Int?, ef: Int?, align: Bool = true) async throws -> SearchResponse {
        try await searchEngine.search(query, k: k, ef: ef, alignment: align ? .full : .off)
    }

    /// One alignment technique at a time, for measuring them (`glimpse-bench eval`).
    public func search(_ query: String, k: Int?, ef: Int?, alignment: QueryAlignment) async throws -> SearchResponse {
        try await searchEngine.search(query, k: k, ef: ef, alignment: alignment)
    }

    /// Searches by an example image (its file bytes) in every space that embeds images; see `SearchEngine.searchImage`.
    public func searchImage(_ imageBytes: Data, k: Int?, ef: Int?) async throws -> SearchResponse {
        try await searchEngine.searchImage(imageBytes, k: k, ef: ef)
    }

    public func item(id: String) throws -> ItemResponse {
        try Self.checkPathID(id)
        guard let item = try catalog.item(externalID: id) else {
            throw ServiceError(.notFound, code: .notFound, "no item with id \(id)")
        }
        return Self.itemResponse(item)
    }

    /// Deletes an item: the catalog commits first (captions gone, vectors tombstoned), then every index excludes
    /// the vectors at once. A vector the worker adds after this is still dropped by search's catalog check.
    public func delete(id: String) throws -> DeleteResponse {
        try Self.checkPathID(id)
        let deleted: [Int64]?
        do {
            deleted = try catalog.deleteItem(externalID: id)
        } catch {
            throw ServiceError.mappingStorageFull(error, while: "deleting the item")
        }
        guard let tombstoned = deleted else {
            throw ServiceError(.notFound, code: .notFound, "no item with id \(id)")
        }
        for space in spaces { space.tombstone(tombstoned) }
        notifyItemsDeleted()
        return DeleteResponse(id: id, tombstonedVectors: tombstoned.count)
    }

    /// After vectors were tombstoned: compact the indexes if enough of them are dead.
    func notifyItemsDeleted() {
        if autoRebuild.compactIfNeeded() != nil { worker.wake() }
    }

    public func status() throws -> StatusResponse {
        let counts = try catalog.counts()
        let embedder = spaces[0].embedder
        return StatusResponse(
            version: GlimpseVersion.current,
            catalog: CatalogStatus(
                path: configuration.catalogPath, items: counts.items, captions: counts.captions,
                vectors: counts.liveVectors, tombstonedVectors: counts.tombstonedVectors,
                jobs: Dictionary(
                    uniqueKeysWithValues: JobState.allCases.map { ($0.rawValue, counts.jobs[$0.rawValue] ?? 0) })),
            indexes: spaces.map { space in
                let parameters = space.index.parameters
                var status = IndexStatus(
                    space: space.name, dimension: space.index.dimension, vectors: space.index.count,
                    m: parameters.m, efConstruction: parameters.efConstruction,
                    efSearchDefault: configuration.hnsw.efSearchDefault, efSearchMax: configuration.hnsw.efSearchMax,
                    snapshotWatermark: space.snapshotWatermark)
                status.tombstonedVectors = space.tombstoneCount
                status.tombstonedFraction = space.tombstonedFraction
                status.autoRebuildTombstoneFraction = configuration.autoRebuildTombstoneFraction
                status.modelFingerprint = space.model.fingerprint
                status.vectorsModelFingerprint = space.modelOfStoredVectors.fingerprint
                status.reembedPending = space.reembedPending
                status.queryEmbedding = searchEngine.queryEmbeddingStatus(space: space.name)
                let encoding = space.index.parameters.vectorEncoding
                status.vectorEncoding = encoding.rawValue
                status.rangesTrainedFromData = encoding == .sq8 ? space.index.rangesTrainedFromData : nil
                status.wordTable = searchEngine.wordTableStatuses[space.name]
                return status
            },
            model: ModelStatus(name: embedder.spaceName, path: modelPath, dimension: embedder.dimension),
            alignment: AlignmentStatus(
                active: searchEngine.alignment.aligner != nil, dictionaryPath: searchEngine.alignment.dictionaryPath,
                englishHeadwords: searchEngine.alignment.englishHeadwords, error: searchEngine.alignment.problem))
    }

    /// An id that no item can have (a control character, blank, too long) is a bad request, not a lookup: with a
    /// NUL, `victim\u{0}x` would otherwise reach SQLite as `victim`.
    private static func checkPathID(_ id: String) throws(ServiceError) {
        if let problem = IngestItem.idProblem(id, maxCharacters: .max) {
            throw .invalid(.invalidID, "the item id \(problem)")
        }
    }

    private static func timestamp(_ date: Date) -> String {
        date.formatted(.iso8601)
    }
}
