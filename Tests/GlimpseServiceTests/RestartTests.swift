import Foundation
import GlimpseAPI
import Testing

@testable import GlimpseService

@Suite struct RestartTests {
    private func items(_ fixture: ServiceFixture, _ names: [String]) throws -> [IngestItem] {
        try names.map { IngestItem(id: $0, imagePath: try fixture.image("\($0).jpg"), captions: ["en": "a \($0)"]) }
    }

    @Test func vectorsCommittedAfterTheSnapshotAreReplayedAtStart() async throws {
        let fixture = try ServiceFixture()
        defer { fixture.remove() }
        let first = try fixture.makeService()
        try await withRunningService(first) { service in
            _ = try await waitForJob(try service.ingest(try items(fixture, ["lion", "tiger"])).jobID, in: service)
        }
        let snapshot = first.spaces[0].snapshotURL
        let olderSnapshot = try Data(contentsOf: snapshot)

        let second = try fixture.makeService()
        try await withRunningService(second) { service in
            _ = try await waitForJob(try service.ingest(try items(fixture, ["zebra", "eagle"])).jobID, in: service)
        }
        // As if the daemon died after committing zebra and eagle but before writing a newer snapshot.
        try olderSnapshot.write(to: snapshot)

        let third = try fixture.makeService()
        #expect(third.spaces[0].index.count == 4)
        #expect(try await third.search("zebra", k: 1, ef: nil).results.first?.id == "zebra")
        #expect(try await third.search("lion", k: 1, ef: nil).results.first?.id == "lion")
    }

    @Test func aChangedIndexVectorEncodingRebuildsTheIndexAtStart() async throws {
        let fixture = try ServiceFixture()
        defer { fixture.remove() }
        let names = ["lion", "tiger", "zebra", "eagle"]
        let first = try fixture.makeService()
        try await withRunningService(first) { service in
            _ = try await waitForJob(try service.ingest(try items(fixture, names)).jobID, in: service)
        }
        #expect(first.spaces[0].index.parameters.vectorEncoding == .float32)

        var configuration = ServiceConfiguration(dataDirectory: fixture.dataDirectory)
        configuration.hnsw.vectorEncoding = .sq8
        let second = try fixture.makeService(configuration: configuration)
        #expect(second.spaces[0].index.parameters.vectorEncoding == .sq8, "the float32 snapshot is not used")
        #expect(second.spaces[0].index.count == names.count)
        for name in names {
            #expect(try await second.search("a \(name)", k: 1, ef: nil).results.first?.id == name)
        }
        try await withRunningService(second) { _ in }

        // Back to float32: the sq8 snapshot the second start wrote is not used either.
        let third = try fixture.makeService()
        #expect(third.spaces[0].index.parameters.vectorEncoding == .float32)
        #expect(try await third.search("a zebra", k: 1, ef: nil).results.first?.id == "zebra")
    }

    @Test func corruptSnapshotIsSetAsideAndRebuiltFromTheCatalog() async throws {
        let fixture = try ServiceFixture()
        defer { fixture.remove() }
        let first = try fixture.makeService()
        try await withRunningService(first) { service in
            _ = try await waitForJob(try service.ingest(try items(fixture, ["owl", "crab", "bee"])).jobID, in: service)
        }
        let snapshot = first.spaces[0].snapshotURL
        var bytes = try Data(contentsOf: snapshot)
        bytes[bytes.count / 2] ^= 0xFF
        try bytes.write(to: snapshot)

        let second = try fixture.makeService()
        #expect(second.spaces[0].index.count == 3)
        #expect(FileManager.default.fileExists(atPath: snapshot.path + ".corrupt"))
        #expect(try await second.search("crab", k: 1, ef: nil).results.first?.id == "crab")
    }

    @Test func aJobLeftRunningByACrashIsResumed() async throws {
        let fixture = try ServiceFixture()
        defer { fixture.remove() }
        let first = try fixture.makeService()
        // Accepted, then the worker claimed it and "died" before finishing: no worker ever ran here.
        let accepted = try first.ingest(try items(fixture, ["moose", "camel"]))
        _ = try first.catalog.claimNextJob()
        #expect(try first.job(id: accepted.jobID).state == .running)

        let second = try fixture.makeService()
        try await withRunningService(second) { service in
            let job = try await waitForJob(accepted.jobID, in: service)
            #expect(job.state == .done)
            #expect(job.inserted == 2)
            #expect(try await service.search("camel", k: 1, ef: nil).results.first?.id == "camel")
        }
    }
}
