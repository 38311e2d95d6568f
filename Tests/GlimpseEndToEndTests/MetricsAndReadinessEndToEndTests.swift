import Foundation
import GlimpseAPI
import GlimpseClient
import GlimpseTestSupport
import Testing

/// Issue 14's observability through the real daemon process: `/metrics` scraped over the query socket and parsed
/// as Prometheus text, its request counters moving with searches, and `/v1/ready` answering 503 while an admin
/// re-embed is queued or running and 200 again after it.
@Suite(.serialized) struct MetricsAndReadinessEndToEndTests {
    static func scrape(_ client: GlimpseClient) async throws -> [PrometheusSample] {
        let answer = try await client.raw(method: "GET", path: "/metrics", body: nil)
        try #require(answer.status == 200)
        return try PrometheusTextParser.parse(String(decoding: answer.body, as: UTF8.self))
    }

    @Test func metricsCountSearchesAndReadinessFlipsDuringAReembed() async throws {
        try TestEnvironment.requirePrerequisites()
        try await withScratchDirectory("e2e-metrics") { directory in
            let items = try SharedPhotoManifest.items(in: directory)
            try await withDaemon(in: directory) { daemon in
                try await SharedPhotoManifest.ingest(items, into: daemon)
                let client = daemon.client
                let search = ["route": "/v1/search", "method": "GET", "status": "200"]

                let before = try await Self.scrape(client)
                let searchesBefore = before.value("glimpse_http_requests_total", search) ?? 0
                let timedBefore =
                    before.value("glimpse_http_request_duration_seconds_count", ["route": "/v1/search"]) ?? 0
                #expect(before.value("glimpse_ready") == 1)
                #expect(before.value("glimpse_catalog_items") == Double(items.count))
                for query in ["dog", "猫", "a red car"] { _ = try await client.search(query, k: 5) }
                let after = try await Self.scrape(client)
                #expect(after.value("glimpse_http_requests_total", search) == searchesBefore + 3, "one per search")
                #expect(
                    after.value("glimpse_http_request_duration_seconds_count", ["route": "/v1/search"])
                        == timedBefore + 3)
                #expect(after.value("glimpse_http_requests_total", ["route": "/metrics", "status": "200"]) ?? 0 >= 1)
                #expect(after.value("glimpse_search_stage_duration_seconds_count", ["stage": "embed"]) ?? 0 >= 3)

                let ready = try await client.raw(method: "GET", path: "/v1/ready", body: nil)
                #expect(ready.status == 200)

                // The re-embed's job is committed before the answer, so readiness reads it at once.
                let accepted = try await daemon.adminClient.rebuild(reembed: true)
                let during = try await client.raw(method: "GET", path: "/v1/ready", body: nil)
                #expect(during.status == 503, "\(String(decoding: during.body, as: UTF8.self))")
                let reasons = try JSONDecoder().decode(ReadinessResponse.self, from: during.body)
                #expect(!reasons.ready)
                #expect(reasons.reasons.contains { $0.code == .reembedRunning })
                let job = try await SharedPhotoManifest.waitForJob(accepted.jobID, daemon: daemon)
                #expect(job.state == .done)
                let afterwards = try await client.raw(method: "GET", path: "/v1/ready", body: nil)
                #expect(afterwards.status == 200, "\(String(decoding: afterwards.body, as: UTF8.self))")
                #expect(try await Self.scrape(client).value("glimpse_ready") == 1)
            }
        }
    }
}
