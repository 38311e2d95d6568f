import Foundation
import GlimpseAPI
import GlimpseClient
import GlimpseService
import GlimpseTestSupport
import Logging
import Prometheus
import ServiceLifecycle
import Testing

@testable import GlimpseDaemon
@testable import GlimpseServer

@Suite struct PrometheusTextParserTests {
    @Test func parsesSamplesLabelsAndEscapesAndRefusesGarbage() throws {
        let samples = try PrometheusTextParser.parse(
            """
            # HELP a_total Things.
            # TYPE a_total counter
            a_total{route="/v1/items/{id}",note="say \\"hi\\"\\n"} 3
            b 2.5
            c_bucket{le="+Inf"} 7
            """)
        #expect(samples.count == 3)
        #expect(
            samples[0]
                == PrometheusSample(
                    name: "a_total", labels: ["route": "/v1/items/{id}", "note": "say \"hi\"\n"], value: 3))
        #expect(samples.value("b") == 2.5)
        #expect(samples.value("c_bucket", ["le": "+Inf"]) == 7)
        #expect(throws: PrometheusTextParser.Malformed.self) { try PrometheusTextParser.parse("a{x=1} 2") }
        #expect(throws: PrometheusTextParser.Malformed.self) { try PrometheusTextParser.parse("a two") }
    }
}

/// The query socket alone over a service that is not running its worker until `startWorker()`, with a fresh
/// Prometheus registry (swift-metrics' global system is never bootstrapped in tests).
final class MetricsServerFixture: Sendable {
    let directory: URL
    let service: GlimpseService
    let metrics = ServerMetrics(registry: PrometheusCollectorRegistry())
    let socketPath: String
    private let group: ServiceGroup
    private let running: Task<Void, any Error>
    private let worker = SharedValue<Task<Void, any Error>?>(nil)

    init(prepare: (GlimpseService) throws -> Void = { _ in }) async throws {
        directory = URL(fileURLWithPath: "/tmp").appendingPathComponent(
            "glimpse-metrics-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var configuration = DaemonConfiguration()
        configuration.socketPath = directory.appendingPathComponent("query.sock").path
        configuration.adminSocketPath = directory.appendingPathComponent("admin.sock").path
        configuration.dataDirectory = directory.appendingPathComponent("data").path
        socketPath = configuration.socketPath
        var logger = Logger(label: "metrics-test")
        logger.logLevel = .warning
        // No dictionary, whatever this machine has installed: alignment is off, so the test does not depend on it.
        var serviceConfiguration = try configuration.serviceConfiguration()
        serviceConfiguration.dictionaryPath = nil
        service = try GlimpseService(
            configuration: serviceConfiguration, spaces: [SpaceModel(text: TestOnlySlowEmbedder())],
            modelPath: "(test)", logger: logger, metrics: metrics.serviceMetrics)
        try prepare(service)
        SocketPermissions.restrictUmask()
        let ready = AsyncStream<Void>.makeStream()
        let server = SocketServer.application(
            service: service, settings: configuration.socketSettings(role: .query), logger: logger,
            onReady: { _ = ready.continuation.yield() }, onFailure: { _ in ready.continuation.finish() },
            metrics: metrics)
        let group = ServiceGroup(configuration: .init(services: [.init(service: server)], logger: logger))
        self.group = group
        running = Task { try await group.run() }
        for await _ in ready.stream { break }
    }

    var client: GlimpseClient { GlimpseClient(socketPath: socketPath) }

    func startWorker() {
        let service = self.service
        worker.withLock { $0 = Task { try await service.run() } }
    }

    func image(_ name: String) throws -> String {
        let url = directory.appendingPathComponent(name)
        try TestImages.jpeg(comment: "image bytes of \(name)").write(to: url)
        return url.path
    }

    func scrape() async throws -> [PrometheusSample] {
        let answer = try await client.raw(method: "GET", path: "/metrics", body: nil)
        #expect(answer.status == 200)
        return try PrometheusTextParser.parse(String(decoding: answer.body, as: UTF8.self))
    }

    func waitForJob(_ id: Int64) async throws -> JobResponse {
        for _ in 0..<3_000 {
            let job = try service.job(id: id)
            if job.state.isFinished { return job }
            try await Task.sleep(for: .milliseconds(10))
        }
        Issue.record("job \(id) did not finish")
        return try service.job(id: id)
    }

    func stop() async {
        await group.triggerGracefulShutdown()
        _ = try? await running.value
        if let worker = worker.value {
            worker.cancel()
            _ = try? await worker.value
        }
        try? FileManager.default.removeItem(at: directory)
    }
}

@Suite struct MetricsEndpointTests {
    @Test func requestsSearchStagesIngestAndStatusAreScrapedAndTheCountersMove() async throws {
        let fixture = try await MetricsServerFixture()
        do {
            fixture.startWorker()
            let items = try ["lion", "tiger", "zebra"].map {
                IngestItem(id: $0, imagePath: try fixture.image("\($0).jpg"), captions: ["en": "a \($0)"])
            }
            let accepted = try fixture.service.ingest(items)
            #expect(try await fixture.waitForJob(accepted.jobID).state == .done)

            let client = fixture.client
            _ = try await client.health()
            _ = try await client.health()
            _ = try await client.search("a lion", k: 2)
            let missing = try await client.raw(method: "GET", path: "/v1/items/nobody", body: nil)
            #expect(missing.status == 404)

            let first = try await fixture.scrape()
            let health = ["route": "/v1/health", "method": "GET", "status": "200"]
            #expect(
                first.value("glimpse_http_requests_total", health) == 2,
                "\(first.filter { $0.name == "glimpse_http_requests_total" })")
            #expect(
                first.value("glimpse_http_requests_total", ["route": "/v1/items/{id}", "status": "404"]) == 1,
                "an error answer is counted under its route pattern and status")
            #expect(first.value("glimpse_http_request_duration_seconds_count", ["route": "/v1/search"]) == 1)
            for stage in ["embed", "index", "fusion"] {
                let count = first.value("glimpse_search_stage_duration_seconds_count", ["stage": stage])
                #expect(count == 1, "stage \(stage): \(String(describing: count))")
            }
            #expect(
                first.value("glimpse_search_stage_duration_seconds_count", ["stage": "alignment"]) == 0,
                "no dictionary here, so alignment is off and takes no time")
            #expect(first.value("glimpse_ingest_items_total", ["outcome": "done"]) == 3)
            #expect(first.value("glimpse_jobs", ["state": "done"]) == 1)
            #expect(first.value("glimpse_queue_depth") == 0)
            #expect(first.value("glimpse_index_vectors", ["space": "test-only-slow"]) == 3)
            #expect(first.value("glimpse_index_tombstoned_fraction", ["space": "test-only-slow"]) == 0)
            #expect(first.value("glimpse_model_loaded", ["space": "test-only-slow"]) == 1)
            #expect(first.value("glimpse_dictionary_loaded") == 0)
            #expect(first.value("glimpse_ready") == 1)

            _ = try await client.health()
            let refused = try await client.raw(method: "DELETE", path: "/v1/items/lion", body: nil)
            #expect(refused.status == 403, "the query socket refuses deletes")
            let second = try await fixture.scrape()
            #expect(second.value("glimpse_http_requests_total", health) == 3, "the counter moved by one request")
            #expect(second.value("glimpse_http_requests_total", ["route": "/metrics", "status": "200"]) == 1)
            #expect(second.value("glimpse_http_requests_total", ["method": "DELETE", "status": "403"]) == 1)
        } catch {
            await fixture.stop()
            throw error
        }
        await fixture.stop()
    }
}

@Suite struct ReadyEndpointTests {
    @Test func readyAnswers503WhileAReembedIsQueuedAnd200OnceItHasRun() async throws {
        var jobID: Int64 = 0
        let fixture = try await MetricsServerFixture { service in
            jobID = try service.rebuild(RebuildRequest(reembed: true)).jobID
        }
        do {
            let waiting = try await fixture.client.raw(method: "GET", path: "/v1/ready", body: nil)
            #expect(waiting.status == 503)
            let reasons = try JSONDecoder().decode(ReadinessResponse.self, from: waiting.body)
            #expect(!reasons.ready)
            #expect(reasons.reasons.map(\.code) == [.reembedRunning])
            #expect(try await fixture.client.health().status == "ok", "liveness is not readiness")
            #expect(try await fixture.scrape().value("glimpse_ready") == 0)

            fixture.startWorker()
            #expect(try await fixture.waitForJob(jobID).state == .done)
            let ready = try await fixture.client.raw(method: "GET", path: "/v1/ready", body: nil)
            #expect(ready.status == 200)
            #expect(
                try JSONDecoder().decode(ReadinessResponse.self, from: ready.body) == ReadinessResponse(reasons: []))
        } catch {
            await fixture.stop()
            throw error
        }
        await fixture.stop()
    }
}
