import Foundation
import GlimpseAPI
import GlimpseTestSupport
import Testing

@testable import GlimpseService

/// `GET /v1/ready`'s reasons, as the service computes them.
@Suite struct ReadinessTests {
    @Test func readinessFlipsWhileAReembedIsPendingAndBackWhenItEnds() async throws {
        let fixture = try ServiceFixture()
        defer { fixture.remove() }
        try await withRunningService(try fixture.makeService(embedder: TestOnlyHashingEmbedder(seed: 1))) { service in
            try await ingestNamed(["lion", "tiger"], into: service, fixture: fixture)
            #expect(try service.readiness() == ReadinessResponse(reasons: []))
        }
        // Another model: the start queues a re-embed, and until it has run the service is not ready.
        let service = try fixture.makeService(embedder: TestOnlyHashingEmbedder(seed: 2))
        let pending = try service.readiness()
        #expect(!pending.ready)
        #expect(pending.reasons.map(\.code) == [.reembedPending])
        #expect(pending.reasons.first?.space == "test-only-hashing")
        try await withRunningService(service) { service in
            let job = try #require(try service.catalog.pendingJobs(kind: "rebuild").first)
            #expect(try await waitForJob(job.id, in: service).state == .done)
            #expect(try service.readiness().ready)
        }
    }

    @Test func anAdminReembedMakesTheServiceNotReadyUntilItHasRun() async throws {
        let fixture = try ServiceFixture()
        defer { fixture.remove() }
        let service = try fixture.makeService()
        try await ingestNamed(["owl"], into: service, fixture: fixture, running: false)
        let accepted = try service.rebuild(RebuildRequest(reembed: true))
        let queued = try service.readiness()
        #expect(queued.reasons.map(\.code) == [.reembedRunning])
        #expect(queued.reasons.first?.message.contains("\(accepted.jobID)") == true)
        // A stopped worker does not start again: the next start of the service runs the queued job.
        try await withRunningService(try fixture.makeService()) { service in
            #expect(try await waitForJob(accepted.jobID, in: service).state == .done)
            _ = try service.rebuild(RebuildRequest())  // a plain rebuild leaves the daemon ready
            #expect(try service.readiness().ready)
        }
    }

    @Test func aConfiguredDictionaryThatDoesNotLoadMakesTheServiceNotReady() throws {
        let fixture = try ServiceFixture()
        defer { fixture.remove() }
        var configuration = ServiceConfiguration(dataDirectory: fixture.dataDirectory)
        configuration.dictionaryPath = fixture.directory.appendingPathComponent("missing/EnWords.csv").path
        let readiness = try fixture.makeService(configuration: configuration).readiness()
        #expect(readiness.reasons.map(\.code) == [.alignmentUnavailable])
        #expect(readiness.reasons.first?.message.contains("missing/EnWords.csv") == true)
        // No dictionary configured at all is a choice, not a fault.
        #expect(try fixture.makeService().readiness().ready)
    }
}

/// Issue 14's small defects on the service side.
@Suite struct ServiceLimitsTests {
    @Test func textLimitsCountUnicodeCodePointsNotGraphemeClusters() async throws {
        let fixture = try ServiceFixture()
        defer { fixture.remove() }
        let service = try fixture.makeService()
        // "é" spelt e + combining acute: one character on screen, two code points.
        let decomposed = "e\u{301}"
        let query = String(repeating: decomposed, count: 501)
        #expect(query.count == 501)
        await #expect(throws: ServiceError.self) { _ = try await service.search(query, k: 1, ef: nil) }
        do {
            _ = try await service.search(query, k: 1, ef: nil)
        } catch let error as ServiceError {
            #expect(error.code == "query_too_long")
            #expect(error.message.contains("1002"))
        }
        let image = try fixture.image("e.jpg")
        let caption = String(repeating: decomposed, count: 1_001)  // 1,001 characters, 2,002 code points
        #expect(throws: ServiceError.self) {
            try service.ingest([IngestItem(imagePath: image, captions: ["fr": caption])])
        }
        let fits = String(repeating: decomposed, count: 1_000)  // exactly 2,000 code points
        #expect(try service.ingest([IngestItem(imagePath: image, captions: ["fr": fits])]).accepted == 1)
    }

    @Test func anEFBelowWhatTheSearchFetchesIsRaisedAndTheAnswerSaysSo() async throws {
        let fixture = try ServiceFixture()
        defer { fixture.remove() }
        try await withRunningService(try fixture.makeService()) { service in
            try await ingestNamed(["lion", "tiger"], into: service, fixture: fixture)
            let raised = try await service.search("a lion", k: 5, ef: 3)
            #expect(raised.efRequested == 3)
            #expect(raised.ef > 3, "searched at least as wide as it fetches")
            let kept = try await service.search("a lion", k: 5, ef: 400)
            #expect(kept.efRequested == nil)
            #expect(kept.ef == 400)
            #expect(try await service.search("a lion", k: 5, ef: nil).efRequested == nil, "the default is not a raise")
        }
    }

    @Test func aPathOutsideTheImageRootsFailsOnlyItsItem() async throws {
        let fixture = try ServiceFixture()
        defer { fixture.remove() }
        let root = fixture.directory.appendingPathComponent("images").path
        let outside = fixture.directory.appendingPathComponent("outside")
        try FileManager.default.createDirectory(at: outside, withIntermediateDirectories: true)
        let secret = outside.appendingPathComponent("secret.jpg")
        try Data("not for glimpse".utf8).write(to: secret)
        var configuration = ServiceConfiguration(dataDirectory: fixture.dataDirectory)
        configuration.imageRoots = try ImageRoots([root])
        try await withRunningService(try fixture.makeService(configuration: configuration)) { service in
            let accepted = try service.ingest([
                IngestItem(id: "owl", imagePath: try fixture.image("owl.jpg"), captions: ["en": "an owl"]),
                IngestItem(id: "secret", imagePath: secret.path, captions: ["en": "a secret"]),
                IngestItem(id: "dots", imagePath: root + "/../outside/secret.jpg", captions: ["en": "dots"]),
                IngestItem(id: "lion", imagePath: try fixture.image("lion.jpg"), captions: ["en": "a lion"]),
            ])
            #expect(accepted.accepted == 4)
            let job = try await waitForJob(accepted.jobID, in: service)
            #expect(job.inserted == 2)
            #expect(job.failed == 2)
            #expect(job.errors.map(\.id) == ["secret", "dots"])
            #expect(job.errors.allSatisfy { $0.message.contains("not under an image root") })
            #expect(try service.status().catalog.items == 2)
            // Nothing else in the request: refused whole, as before.
            #expect(throws: ServiceError.self) {
                try service.ingest([IngestItem(imagePath: secret.path, captions: ["en": "a secret"])])
            }
        }
    }
}
