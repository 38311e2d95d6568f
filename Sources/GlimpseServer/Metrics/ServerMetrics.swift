import GlimpseAPI
import GlimpseService
import Metrics
import Prometheus

/// The daemon's metrics: one Prometheus registry that swift-metrics records into (requests by route and status,
/// search stages, ingested items) and that `GET /metrics` renders, plus gauges read from the service's status at
/// each scrape (queue depth, jobs, vectors and tombstones per space, model, dictionary and readiness).
///
/// glimpsed makes one, bootstraps swift-metrics with its `factory` and shares it between both sockets and the
/// service; tests make their own over a fresh registry, so nothing global is touched.
public struct ServerMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    public let factory: PrometheusMetricsFactory

    /// Search stages take from well under a millisecond (fusion) to seconds (a cold model): finer low buckets than
    /// swift-prometheus's default, which starts at 5 ms.
    static let durationBuckets: [Duration] = [
        .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5),
        .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250),
        .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10),
    ]

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = Self.durationBuckets
        self.registry = registry
        self.factory = factory
    }

    /// The service's own measurements (search stages, ingested items), recorded into this registry.
    public var serviceMetrics: ServiceMetrics { ServiceMetrics(factory: factory) }

    /// Sets the status gauges from the service, then renders the registry in the Prometheus text format (0.0.4).
    func scrape(_ service: GlimpseService) throws -> [UInt8] {
        let status = try service.status()
        let readiness = try service.readiness()
        let jobs = status.catalog.jobs
        gauge("glimpse_queue_depth", "Jobs queued and not yet started.").set(to: Double(jobs["queued"] ?? 0))
        for (state, count) in jobs {
            gauge("glimpse_jobs", "Jobs in the catalog by state.", [("state", state)]).set(to: Double(count))
        }
        gauge("glimpse_catalog_items", "Items in the catalog.").set(to: Double(status.catalog.items))
        for index in status.indexes {
            let space = [("space", index.space)]
            gauge("glimpse_index_vectors", "Points in the space's HNSW index (live and tombstoned).", space)
                .set(to: Double(index.vectors))
            gauge("glimpse_index_tombstoned_vectors", "Tombstoned points in the space's index.", space)
                .set(to: Double(index.tombstonedVectors ?? 0))
            gauge(
                "glimpse_index_tombstoned_fraction", "Fraction of the space's index points that are tombstoned.", space
            )
            .set(to: index.tombstonedFraction ?? 0)
            gauge("glimpse_model_loaded", "1 when the space's model is loaded.", space).set(to: 1.0)
            gauge(
                "glimpse_model_reembed_pending", "1 while the space's stored vectors come from another model.", space
            ).set(to: index.reembedPending == true ? 1 : 0)
        }
        let alignment = status.alignment
        gauge("glimpse_dictionary_loaded", "1 when the cross-lingual dictionary is loaded and alignment is on.")
            .set(to: alignment?.active == true ? 1 : 0)
        gauge("glimpse_dictionary_english_headwords", "English headwords of the loaded dictionary.")
            .set(to: Double(alignment?.englishHeadwords ?? 0))
        gauge("glimpse_ready", "1 when GET /v1/ready answers 200.").set(to: readiness.ready ? 1 : 0)
        return registry.emitToBuffer()
    }

    private func gauge(_ name: String, _ help: String, _ labels: [(String, String)] = []) -> Prometheus.Gauge {
        labels.isEmpty
            ? registry.makeGauge(name: name, help: help) : registry.makeGauge(name: name, labels: labels, help: help)
    }
}
