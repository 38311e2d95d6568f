import Foundation
import GlimpseAPI
import GlimpseCatalog
import GlimpseEmbedding
import GlimpseImage
import Logging
import Synchronization

/// Embeds queued ingest jobs in the background, one at a time, in the order they were accepted.
///
/// Crash safety comes from the order of writes: an item's captions and vectors are committed to the catalog in one
/// transaction before they are added to the in-memory index, and job progress is committed after each chunk. A job
/// cut short (crash or shutdown) stays `running`, is re-queued at the next start and resumes after its last
/// committed chunk; items it had already stored are found unchanged, so nothing is stored twice.
final class IngestWorker: Sendable {
    private let catalog: Catalog
    private let spaces: [EmbeddingSpace]
    private let configuration: ServiceConfiguration
    private let logger: Logger
    private let wakeups: AsyncStream<Void>
    private let wakeupContinuation: AsyncStream<Void>.Continuation
    private let stopping = Atomic<Bool>(false)
    private let autoRebuild: AutoRebuild?
    private let blockingWork: BlockingWork
    private let metrics: ServiceMetrics
    private let reserve: StorageReserve
    /// Labels image-only items (automatic captions), when the service has a labeler.
    private let captioner: AutomaticCaptioner?
    /// Jobs finished (failed) that the catalog could not record because the disk was full, by job id: reported by
    /// `GlimpseService.job(id:)` from here and written at each wake-up until the catalog takes them.
    private let unrecordedFinishes = Mutex<[Int64: JobProgress]>([:])

    init(
        catalog: Catalog, spaces: [EmbeddingSpace], configuration: ServiceConfiguration, logger: Logger,
        autoRebuild: AutoRebuild? = nil, blockingWork: BlockingWork, metrics: ServiceMetrics = ServiceMetrics(),
        captioner: AutomaticCaptioner? = nil
    ) {
        self.captioner = captioner
        self.metrics = metrics
        self.autoRebuild = autoRebuild
        self.blockingWork = blockingWork
        self.catalog = catalog
        self.spaces = spaces
        self.configuration = configuration
        self.logger = logger
        reserve = StorageReserve(
            directory: configuration.dataDirectory, bytes: configuration.storageReserveBytes, catalog: catalog,
            walTruncateInterval: configuration.walTruncateInterval, logger: logger)
        (wakeups, wakeupContinuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Tells the worker a job is waiting.
    func wake() { wakeupContinuation.yield() }

    /// Makes `run()` return after the chunk in progress.
    func stop() {
        stopping.store(true, ordering: .sequentiallyConsistent)
        wakeupContinuation.finish()
    }

    private var isStopping: Bool { stopping.load(ordering: .sequentiallyConsistent) }

    func run() async {
        let ticker = Task { [wakeupContinuation] in
            // Periodic wake-ups let a quiet daemon still write its snapshot once the interval has passed.
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(1))
                wakeupContinuation.yield()
            }
        }
        defer { ticker.cancel() }
        var lastSnapshot = ContinuousClock.now
        wakeupContinuation.yield()
        for await _ in wakeups {
            recordUnrecordedFinishes()
            while !isStopping, let job = claimNextJob() {
                await process(job)
                // Re-ingested items tombstone their old vectors too; the queued rebuild is claimed next.
                autoRebuild?.queueRebuildIfNeeded()
                if spaces.contains(where: { $0.vectorsSinceSnapshot >= configuration.snapshotEveryVectors }) {
                    await writeSnapshots()
                    lastSnapshot = .now
                }
            }
            if isStopping { break }
            // Idle: put the storage reserve back if a full disk used it (or the daemon started without room for it)
            // and give back the space the catalog's WAL holds (`StorageReserve.returnFreedSpace`).
            if unrecordedFinishes.withLock({ $0.isEmpty }) {
                try? await blockingWork.run { [reserve] in reserve.returnFreedSpace() }
            }
            if ContinuousClock.now - lastSnapshot >= configuration.snapshotInterval,
                spaces.contains(where: { $0.vectorsSinceSnapshot > 0 })
            {
                await writeSnapshots()
                lastSnapshot = .now
            }
        }
    }

    func writeSnapshots() async {
        for space in spaces where space.vectorsSinceSnapshot > 0 {
            do {
                try await blockingWork.run { [catalog] in
                    try space.writeSnapshot()
                    try SnapshotStamp.write(for: space, catalog: catalog)
                }
                logger.info(
                    "index snapshot written", metadata: ["space": "\(space.name)", "watermark": "\(space.watermark)"])
            } catch {
                logger.error(
                    "index snapshot failed; the catalog still holds every vector",
                    metadata: ["space": "\(space.name)", "error": "\(error)"])
            }
        }
    }

    /// The final state of a job the catalog could not record, if any.
    func unrecordedFinish(jobID: Int64) -> JobProgress? {
        unrecordedFinishes.withLock { $0[jobID] }
    }

    private func claimNextJob() -> JobRecord? {
        do {
            return try catalog.claimNextJob()
        } catch {
            guard let full = Catalog.storageFull(error) else {
                logger.error("cannot claim the next job", metadata: ["error": "\(error)"])
                return nil
            }
            if reserve.release(), let job = try? catalog.claimNextJob() { return job }
            failQueuedJobs(full)
            return nil
        }
    }

    /// The disk is too full to even claim a job: every queued job fails with `storage_full` at once (kept in memory
    /// until the catalog can record it) instead of waiting, unseen, for space.
    private func failQueuedJobs(_ full: CatalogError) {
        let queued = (try? catalog.queuedJobs()) ?? []
        for job in queued where unrecordedFinish(jobID: job.id) == nil {
            var progress = job.progress
            let rest = job.total - progress.done - progress.failed
            if rest > 0 {
                progress.failed += rest
                progress.errors.append(
                    JobItemError(
                        index: progress.done + progress.failed - rest, externalID: nil,
                        message: Self.storageFullMessage(full, notAttempted: rest)))
            }
            logger.error(
                "job failed: the data directory's disk is full",
                metadata: ["job": "\(job.id)", "error": "\(full)"])
            finish(job.id, progress, failed: true)
        }
    }

    /// Writes the finishes a full disk kept in memory; each stays until the catalog takes it.
    private func recordUnrecordedFinishes() {
        let pending = unrecordedFinishes.withLock { $0 }
        for (jobID, progress) in pending.sorted(by: { $0.key < $1.key }) {
            do {
                try catalog.finishJob(id: jobID, progress: progress, failed: true)
                _ = unrecordedFinishes.withLock { $0.removeValue(forKey: jobID) }
                logger.notice("recorded a job failure the full disk had held back", metadata: ["job": "\(jobID)"])
            } catch {
                return
            }
        }
    }

    static func storageFullMessage(_ full: CatalogError, notAttempted: Int? = nil) -> String {
        let what = notAttempted.map { "\($0) item(s) not attempted: " } ?? ""
        return "\(APIErrorCode.storageFull.rawValue): \(what)\(full); free space in the data directory and ingest again"
    }

    private func process(_ job: JobRecord) async {
        if job.kind == IndexRebuilder.jobKind {
            await rebuild(job)
            return
        }
        let items: [IngestItem]
        do {
            items = try JSONDecoder().decode(IngestBatch.self, from: job.payload).items
        } catch {
            logger.error(
                "job payload unreadable; marking it failed", metadata: ["job": "\(job.id)", "error": "\(error)"])
            var progress = job.progress
            progress.failed = job.total - progress.done
            progress.errors.append(JobItemError(index: 0, externalID: nil, message: "job payload unreadable: \(error)"))
            finish(job.id, progress)
            return
        }
        var progress = job.progress
        var next = progress.done + progress.failed
        logger.info(
            "ingest job started", metadata: ["job": "\(job.id)", "items": "\(items.count)", "resume_at": "\(next)"])
        while next < items.count {
            if isStopping {
                logger.notice(
                    "shutting down mid-job; it resumes at the next start",
                    metadata: ["job": "\(job.id)", "at": "\(next)"])
                return
            }
            let chunkEnd = min(next + configuration.ingestChunkSize, items.count)
            let (doneBefore, failedBefore) = (progress.done, progress.failed)
            var full = await ingestChunk(Array(items[next..<chunkEnd]), firstIndex: next, progress: &progress)
            metrics.countIngested(done: progress.done - doneBefore, failed: progress.failed - failedBefore)
            next = chunkEnd
            if full == nil {
                do {
                    try catalog.updateJobProgress(id: job.id, progress: progress)
                } catch {
                    full = Catalog.storageFull(error)
                    if full == nil {
                        logger.error("cannot record job progress", metadata: ["job": "\(job.id)", "error": "\(error)"])
                    }
                }
            }
            if let full {
                // A full disk fails the job at once rather than failing every later item slowly, one by one.
                let rest = items.count - next
                if rest > 0 {
                    progress.failed += rest
                    progress.errors.append(
                        JobItemError(
                            index: next, externalID: nil, message: Self.storageFullMessage(full, notAttempted: rest)))
                }
                logger.error(
                    "ingest job failed: the data directory's disk is full",
                    metadata: ["job": "\(job.id)", "at": "\(next)", "error": "\(full)"])
                finish(job.id, progress, failed: true)
                return
            }
        }
        finish(job.id, progress)
        logger.info(
            "ingest job finished",
            metadata: [
                "job": "\(job.id)", "inserted": "\(progress.inserted)", "updated": "\(progress.updated)",
                "unchanged": "\(progress.unchanged)", "failed": "\(progress.failed)",
            ])
    }

    private func rebuild(_ job: JobRecord) async {
        var rebuilder = IndexRebuilder(
            catalog: catalog, spaces: spaces, configuration: configuration, logger: logger, blockingWork: blockingWork)
        rebuilder.captioner = captioner
        logger.info("index rebuild started", metadata: ["job": "\(job.id)"])
        do {
            if try await rebuilder.run(job, isStopping: { self.isStopping }) {
                autoRebuild?.rebuildFinished(succeeded: true)
            } else {
                logger.notice(
                    "shutting down mid-rebuild; it starts again at the next start", metadata: ["job": "\(job.id)"])
            }
        } catch {
            autoRebuild?.rebuildFinished(succeeded: false)
            logger.error(
                "index rebuild failed; the old index stays in use", metadata: ["job": "\(job.id)", "error": "\(error)"])
            var progress = JobProgress()
            let message = Catalog.storageFull(error).map { Self.storageFullMessage($0) } ?? "rebuild failed: \(error)"
            progress.errors.append(JobItemError(index: 0, externalID: nil, message: message))
            progress.failed = 1
            finish(job.id, progress)
        }
    }

    /// Records a job's end. On a full disk the storage reserve is released and the write tried again; if it still
    /// fails the job's end is kept in memory (reported by `unrecordedFinish`) and written once space returns.
    private func finish(_ jobID: Int64, _ progress: JobProgress, failed: Bool = false) {
        do {
            try catalog.finishJob(id: jobID, progress: progress, failed: failed)
        } catch {
            guard Catalog.storageFull(error) != nil else {
                logger.error("cannot mark job finished", metadata: ["job": "\(jobID)", "error": "\(error)"])
                return
            }
            if reserve.release(), (try? catalog.finishJob(id: jobID, progress: progress, failed: failed)) != nil {
                return
            }
            unrecordedFinishes.withLock { $0[jobID] = progress }
            logger.error(
                "cannot record the job's end: the disk is full; it is kept in memory and written once space returns",
                metadata: ["job": "\(jobID)"])
        }
    }

    /// An item whose content changed (or is new), with its hash and caption order fixed.
    private struct PendingItem {
        let index: Int
        let item: IngestItem
        let externalID: String
        let contentHash: String
        /// The given captions, or the automatic ones of an image-only item once it is labelled.
        var captions: [String: String]
        var automaticCaptionLanguages: Set<String> = []
        var languages: [String]
        /// Read (after the image-root check) only when a space embeds images; hashed either way.
        let imageBytes: Data?
        /// Read from the header bytes already in hand; nil when they could not be read (not an item failure).
        let photo: ItemPhotoFacts?
        /// The file's size and mtime taken before it was read; recorded once the item is stored.
        let fileFacts: ItemFileFacts?
        var imageVectors: [String: [Float]] = [:]
    }

    /// One chunk of a job, in the order that keeps a failure to its own item: skip what is unchanged, embed
    /// images, embed captions, then store each item (catalog first, then index).
    /// Returns the storage failure that stopped it, if the disk filled up.
    private func ingestChunk(_ chunk: [IngestItem], firstIndex: Int, progress: inout JobProgress) async
        -> CatalogError?
    {
        let imageStep = ItemImageEmbedding(
            spaces: spaces, limits: configuration.imageDecodingLimits, blockingWork: blockingWork)
        var observedFiles: [(externalID: String, facts: ItemFileFacts)] = []
        defer { recordFileFacts(observedFiles) }
        var pending = await changedItems(
            chunk, firstIndex: firstIndex, readImages: imageStep.isNeeded, progress: &progress,
            observedFiles: &observedFiles)
        guard !pending.isEmpty else { return nil }
        if imageStep.isNeeded {
            pending = await embedImages(of: pending, with: imageStep, progress: &progress)
            guard !pending.isEmpty else { return nil }
        }
        if let captioner, pending.contains(where: { $0.captions.isEmpty }) {
            pending = await addAutomaticCaptions(to: pending, with: captioner)
        }
        guard let captionVectors = await embedCaptions(of: pending, progress: &progress) else { return nil }
        return store(pending, captionVectors: captionVectors, progress: &progress, observedFiles: &observedFiles)
    }

    /// Remembers the files of the chunk's stored and unchanged items for the next ingest's `UnchangedFileCheck`.
    /// Not recording them (a full disk) only means reading those files once more next time.
    private func recordFileFacts(_ observed: [(externalID: String, facts: ItemFileFacts)]) {
        do {
            try catalog.recordFileFacts(observed)
        } catch {
            logger.warning("cannot record the ingested files' size and mtime", metadata: ["error": "\(error)"])
        }
    }

    /// The chunk's items whose content (image bytes and captions) differs from what the catalog holds; unchanged
    /// ones are counted done here, so a resumed or repeated job costs no embedding for them. Without an image space
    /// (`readImages` false) each changed item's image is still checked (`ImageFileCheck`), so a broken picture
    /// fails its own item with the decoding code a CLIP daemon gives instead of being stored unseen.
    private func changedItems(
        _ chunk: [IngestItem], firstIndex: Int, readImages: Bool, progress: inout JobProgress,
        observedFiles: inout [(externalID: String, facts: ItemFileFacts)]
    ) async -> [PendingItem] {
        var pending: [PendingItem] = []
        for (offset, item) in chunk.enumerated() {
            let index = firstIndex + offset
            let externalID = IngestValidator.externalID(of: item)
            do {
                // Taken before the file is read: if it changes while being read, the next ingest sees new facts.
                let fileFacts = UnchangedFileCheck.currentFacts(of: item, imageRoots: configuration.imageRoots)
                if let fileFacts, try catalog.fileFacts(externalID: externalID) == fileFacts {
                    progress.done += 1
                    progress.unchanged += 1
                    metrics.countUnreadUnchanged()
                    continue
                }
                metrics.countImageFileRead()
                // The whole file, once: it is hashed, its headers give the photo facts, and it is decoded, by the
                // image spaces or (without one) by the image check. Only the image spaces keep it past this item.
                let read = try readImage(at: item.imagePath)
                let bytes: Data? = readImages ? read : nil
                let hash = ContentHasher.hash(
                    imagePath: item.imagePath, imageBytes: read, captions: item.captions, fields: item.fields)
                if let existing = try catalog.item(externalID: externalID), existing.contentHash == hash {
                    progress.done += 1
                    progress.unchanged += 1
                    if let fileFacts { observedFiles.append((externalID, fileFacts)) }
                    continue
                }
                if !readImages {
                    try await ImageFileCheck(limits: configuration.imageDecodingLimits, blockingWork: blockingWork)
                        .check(read, path: item.imagePath)
                }
                pending.append(
                    PendingItem(
                        index: index, item: item, externalID: externalID, contentHash: hash, captions: item.captions,
                        languages: item.captions.keys.sorted(), imageBytes: bytes, photo: photoFacts(read),
                        fileFacts: fileFacts))
            } catch {
                progress.recordFailure(index: index, externalID: externalID, message: "\(error)")
            }
        }
        return pending
    }

    /// Images first: an item whose image cannot be decoded fails whole (as one whose image is missing does), so
    /// its captions are not embedded for nothing and a later ingest of the fixed file stores it complete.
    private func embedImages(
        of pending: [PendingItem], with imageStep: ItemImageEmbedding, progress: inout JobProgress
    ) async -> [PendingItem] {
        let outcomes = await imageStep.embed(pending.map { (path: $0.item.imagePath, bytes: $0.imageBytes ?? Data()) })
        var embedded: [PendingItem] = []
        for (entry, outcome) in zip(pending, outcomes) {
            var entry = entry
            switch outcome {
            case .success(let vectors):
                entry.imageVectors = vectors
                embedded.append(entry)
            case .failure(let failure):
                progress.recordFailure(index: entry.index, externalID: entry.externalID, message: failure.message)
            }
        }
        return embedded
    }

    /// Image-only items get their image's top labels as automatic captions (`AutomaticCaptioner`). A labeler that
    /// fails leaves the item image-only rather than failing it: it is still found by its picture.
    private func addAutomaticCaptions(to pending: [PendingItem], with captioner: AutomaticCaptioner) async
        -> [PendingItem]
    {
        var labelled = pending
        for position in labelled.indices where labelled[position].captions.isEmpty {
            guard let vector = labelled[position].imageVectors[captioner.spaceName] else { continue }
            do {
                let captions = try await captioner.captions(forImageVector: vector)
                labelled[position].captions = captions
                labelled[position].automaticCaptionLanguages = Set(captions.keys)
                labelled[position].languages = captions.keys.sorted()
            } catch {
                logger.warning(
                    "automatic captions failed; the item is stored without captions",
                    metadata: ["id": "\(labelled[position].externalID)", "error": "\(error)"])
            }
        }
        return labelled
    }

    /// One embedder call per space for the whole chunk: batching is where the throughput comes from. Per space,
    /// the vectors of every pending item's captions in item order, each item's in `languages` order; nil when an
    /// embedder failed, which fails the whole chunk (no item is stored half-embedded).
    private func embedCaptions(of pending: [PendingItem], progress: inout JobProgress) async -> [[[Float]]]? {
        let texts = pending.flatMap { entry in entry.languages.map { entry.captions[$0]! } }
        var vectorsBySpace: [[[Float]]] = []
        // A chunk of image-only items has no text to embed.
        guard !texts.isEmpty else { return spaces.map { _ in [] } }
        do {
            for space in spaces {
                let embedder = space.embedder
                vectorsBySpace.append(try await blockingWork.run { try embedder.embed(texts, role: .passage) })
            }
        } catch {
            for entry in pending {
                progress.recordFailure(
                    index: entry.index, externalID: entry.externalID, message: "embedding failed: \(error)")
            }
            return nil
        }
        return vectorsBySpace
    }

    /// Each item in its own catalog transaction, then mirrored into the indexes: a failure (a constraint) fails
    /// that item only, and the catalog never lags behind an index. A full disk fails this item and the chunk's
    /// remaining ones, and is returned so the job stops.
    private func store(
        _ pending: [PendingItem], captionVectors vectorsBySpace: [[[Float]]], progress: inout JobProgress,
        observedFiles: inout [(externalID: String, facts: ItemFileFacts)]
    ) -> CatalogError? {
        var offset = 0
        for (position, entry) in pending.enumerated() {
            let captionCount = entry.languages.count
            var newVectors: [NewVector] = []
            for (spaceIndex, space) in spaces.enumerated() {
                for (languageIndex, language) in entry.languages.enumerated() {
                    newVectors.append(
                        NewVector(
                            space: space.name, source: .caption, captionLanguage: language,
                            vector: vectorsBySpace[spaceIndex][offset + languageIndex]))
                }
                if let vector = entry.imageVectors[space.name] {
                    newVectors.append(
                        NewVector(space: space.name, source: .image, captionLanguage: nil, vector: vector))
                }
            }
            offset += captionCount
            // Accepted by a daemon with an image space, but this one (restarted with other spaces) has none: an
            // item without a single vector could never be found.
            guard !newVectors.isEmpty else {
                progress.recordFailure(
                    index: entry.index, externalID: entry.externalID,
                    message: "\(APIErrorCode.noImageSpace.rawValue): the item has no captions and no space of this "
                        + "daemon embeds images (see the `spaces` setting)")
                continue
            }
            let newItem = NewItem(
                externalID: entry.externalID, imagePath: entry.item.imagePath, contentHash: entry.contentHash,
                captions: entry.captions, fields: ItemFieldConversion.stored(entry.item.fields),
                photo: entry.photo, automaticCaptionLanguages: entry.automaticCaptionLanguages)
            do {
                let outcome = try catalog.upsertItem(newItem, vectors: newVectors)
                try index(outcome, vectors: newVectors)
                if let fileFacts = entry.fileFacts { observedFiles.append((entry.externalID, fileFacts)) }
                progress.done += 1
                switch outcome {
                case .inserted: progress.inserted += 1
                case .updated: progress.updated += 1
                case .unchanged: progress.unchanged += 1
                }
            } catch {
                if let full = Catalog.storageFull(error) {
                    for failed in pending[position...] {
                        progress.recordFailure(
                            index: failed.index, externalID: failed.externalID, message: Self.storageFullMessage(full))
                    }
                    return full
                }
                progress.recordFailure(index: entry.index, externalID: entry.externalID, message: "\(error)")
            }
        }
        return nil
    }

    /// Mirrors a committed catalog write into the in-memory indexes.
    private func index(_ outcome: UpsertOutcome, vectors: [NewVector]) throws {
        let newIDs: [Int64]
        switch outcome {
        case .inserted(let ids):
            newIDs = ids
        case .updated(let ids, let tombstoned):
            newIDs = ids
            for space in spaces { space.tombstone(tombstoned) }
        case .unchanged:
            return
        }
        for space in spaces {
            let positions = vectors.indices.filter { vectors[$0].space == space.name }
            try space.add(ids: positions.map { newIDs[$0] }, vectors: positions.map { vectors[$0].vector })
        }
    }

    /// The facts the file's headers give; nil when they cannot be read (an unknown or truncated header): absent
    /// facts never fail an item.
    private func photoFacts(_ header: Data) -> ItemPhotoFacts? {
        guard !header.isEmpty,
            let facts = try? ImageDecoder(limits: configuration.imageDecodingLimits).photoFacts(header)
        else { return nil }
        return ItemPhotoFacts(
            takenAt: facts.captureTime?.timeIntervalSince1970, utcOffset: facts.utcOffset, width: facts.width,
            height: facts.height)
    }

    private func readImage(at path: String) throws -> Data {
        try ImageFileReader.read(
            path, imageRoots: configuration.imageRoots, maxBytes: configuration.imageDecodingLimits.maxFileBytes)
    }
}

extension JobProgress {
    mutating func recordFailure(index: Int, externalID: String?, message: String) {
        failed += 1
        errors.append(JobItemError(index: index, externalID: externalID, message: message))
    }
}
