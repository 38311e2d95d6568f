import Metrics

/// What the service measures itself, through swift-metrics: the time of each search stage and the ingested items.
/// The backend is the factory given (glimpsed bootstraps Prometheus; tests pass a factory over their own registry);
/// without one, `MetricsSystem.factory`, which is a no-op until something bootstraps it.
public struct ServiceMetrics: Sendable {
    /// A search's stages: embedding the query texts, the index searches, alignment's language centring and
    /// per-sense scoring, and fusing the spaces' and senses' hits into one ranking.
    enum SearchStage: String, CaseIterable {
        case embed, index, alignment, fusion
    }

    private let stageTimers: [SearchStage: Timer]
    /// Items an ingest job finished, by outcome (`done` or `failed`); its rate is the ingest throughput.
    private let ingestedItems: Counter
    private let failedItems: Counter
    /// Image files ingest opened and read (to hash, and to decode when a space embeds images), and the items it
    /// skipped without opening their file because its size and mtime were unchanged (`UnchangedFileCheck`).
    private let imageFileReads: Counter
    private let unreadUnchangedItems: Counter

    public init(factory: any MetricsFactory = MetricsSystem.factory) {
        stageTimers = Dictionary(
            uniqueKeysWithValues: SearchStage.allCases.map { stage in
                (
                    stage,
                    Timer(
                        label: "glimpse_search_stage_duration_seconds", dimensions: [("stage", stage.rawValue)],
                        factory: factory)
                )
            })
        ingestedItems = Counter(
            label: "glimpse_ingest_items_total", dimensions: [("outcome", "done")], factory: factory)
        failedItems = Counter(
            label: "glimpse_ingest_items_total", dimensions: [("outcome", "failed")], factory: factory)
        imageFileReads = Counter(label: "glimpse_image_file_reads_total", factory: factory)
        unreadUnchangedItems = Counter(label: "glimpse_ingest_unread_unchanged_total", factory: factory)
    }

    func record(_ stage: SearchStage, since start: ContinuousClock.Instant) {
        stageTimers[stage]?.record(duration: ContinuousClock.now - start)
    }

    /// Times `body` as one `stage` of a search (also when it throws).
    func time<T>(_ stage: SearchStage, _ body: () async throws -> T) async rethrows -> T {
        let start = ContinuousClock.now
        defer { record(stage, since: start) }
        return try await body()
    }

    func countIngested(done: Int, failed: Int) {
        if done > 0 { ingestedItems.increment(by: done) }
        if failed > 0 { failedItems.increment(by: failed) }
    }

    func countImageFileRead() {
        imageFileReads.increment()
    }

    func countUnreadUnchanged() {
        unreadUnchangedItems.increment()
    }
}
