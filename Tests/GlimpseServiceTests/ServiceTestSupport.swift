import Foundation
import GlimpseAPI
import GlimpseEmbedding
import GlimpseTestSupport
import Logging
import Testing

@testable import GlimpseService

/// A temp data directory with a few image files, and a service over it.
struct ServiceFixture {
    let directory: URL

    init() throws {
        directory = try ScratchDirectory("service").url
        try FileManager.default.createDirectory(
            at: directory.appendingPathComponent("images"), withIntermediateDirectories: true)
    }

    var dataDirectory: URL { directory.appendingPathComponent("data") }

    /// Writes a small image file: a real JPEG told apart by `comment` (default: its name), since the daemon checks
    /// every image at ingest; `bytes` writes exactly those bytes instead (an empty or non-image file).
    func image(_ name: String, bytes: String? = nil, comment: String? = nil) throws -> String {
        let url = directory.appendingPathComponent("images/\(name)")
        try (bytes.map { Data($0.utf8) } ?? TestImages.jpeg(comment: comment ?? "image bytes of \(name)")).write(
            to: url)
        return url.path
    }

    func makeService(
        snapshotEvery: Int = 5_000, embedder: any TextEmbedder = TestOnlyHashingEmbedder(),
        configuration base: ServiceConfiguration? = nil
    ) throws -> GlimpseService {
        var configuration = base ?? ServiceConfiguration(dataDirectory: dataDirectory)
        configuration.snapshotEveryVectors = snapshotEvery
        configuration.snapshotInterval = .seconds(3_600)
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        return try GlimpseService(
            configuration: configuration, embedders: [embedder], modelPath: "(test)", logger: logger)
    }

    func remove() { try? FileManager.default.removeItem(at: directory) }
}

/// Runs the service's worker for the duration of `body`, then stops it the way a shutdown does.
func withRunningService<T>(_ service: GlimpseService, _ body: (GlimpseService) async throws -> T) async throws -> T {
    let worker = Task { try await service.run() }
    do {
        let result = try await body(service)
        worker.cancel()
        _ = try? await worker.value
        return result
    } catch {
        worker.cancel()
        _ = try? await worker.value
        throw error
    }
}

/// Polls a job until it finishes; the bound only keeps a broken worker from hanging the suite.
func waitForJob(_ id: Int64, in service: GlimpseService) async throws -> JobResponse {
    for _ in 0..<6_000 {
        let job = try service.job(id: id)
        if job.state.isFinished { return job }
        try await Task.sleep(for: .milliseconds(10))
    }
    Issue.record("job \(id) did not finish")
    return try service.job(id: id)
}

/// Ingests one item per name, id = name, captioned "a <name>", and waits until they are all inserted. With
/// `running: false` the worker is run just for this job and stopped again.
func ingestNamed(_ names: [String], into service: GlimpseService, fixture: ServiceFixture, running: Bool = true)
    async throws
{
    let items = try names.map {
        IngestItem(id: $0, imagePath: try fixture.image("\($0).jpg"), captions: ["en": "a \($0)"])
    }
    let jobID = try service.ingest(items).jobID
    let job =
        running
        ? try await waitForJob(jobID, in: service)
        : try await withRunningService(service) { try await waitForJob(jobID, in: $0) }
    #expect(job.inserted == names.count)
}
