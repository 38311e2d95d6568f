import Foundation
import GlimpseAPI
import GlimpseCatalog
import Testing

@testable import GlimpseService

@Suite struct TombstoneCompactionTests {
    private let animals = ["lion", "tiger", "zebra", "eagle", "owl", "crab", "bee", "moose", "camel", "otter"]

    @Test func statusCountsTheTombstonesTheIndexHoldsAcrossRestartsAndRebuilds() async throws {
        let fixture = try ServiceFixture()
        defer { fixture.remove() }
        try await withRunningService(try fixture.makeService()) { service in
            try await ingestNamed(animals, into: service, fixture: fixture)
            _ = try service.delete(id: "lion")
            let index = try #require(try service.status().indexes.first)
            #expect(index.tombstonedVectors == 1)
            #expect(index.tombstonedFraction == 0.1)
        }
        // The snapshot still holds lion's point: a restart counts it again from the catalog.
        try await withRunningService(try fixture.makeService()) { service in
            #expect(try service.status().indexes.first?.tombstonedVectors == 1)
            #expect(try await waitForJob(try service.rebuild(RebuildRequest()).jobID, in: service).state == .done)
            let index = try #require(try service.status().indexes.first)
            #expect(index.tombstonedVectors == 0, "the rebuilt index holds no deleted point")
            #expect(index.vectors == 9)
        }
        // …and the restart after the rebuild knows the catalog's old tombstone is not in the rebuilt snapshot.
        let restarted = try fixture.makeService()
        #expect(try restarted.status().indexes.first?.tombstonedVectors == 0)
        #expect(try restarted.status().catalog.tombstonedVectors == 1, "the catalog keeps the tombstoned row")
        #expect(try await restarted.search("lion", k: 10, ef: nil).results.allSatisfy { $0.id != "lion" })
    }

    @Test func deletingPastTheTombstoneFractionQueuesOneRebuildThatCompactsTheIndex() async throws {
        let fixture = try ServiceFixture()
        defer { fixture.remove() }
        var configuration = ServiceConfiguration(dataDirectory: fixture.dataDirectory)
        configuration.autoRebuildTombstoneFraction = 0.2
        let service = try fixture.makeService(configuration: configuration)
        let catalog = service.catalog
        try await ingestNamed(animals, into: service, fixture: fixture, running: false)

        // The worker is not running yet, so the queued rebuild stays visible: 2 of 10 is not past 0.2, 3 is.
        _ = try service.delete(id: "lion")
        _ = try service.delete(id: "tiger")
        #expect(try catalog.pendingJobs(kind: "rebuild").isEmpty)
        _ = try service.delete(id: "zebra")
        let queued = try catalog.pendingJobs(kind: "rebuild")
        #expect(queued.count == 1, "a rebuild is queued once 3 of 10 points are tombstoned")
        _ = try service.delete(id: "eagle")
        #expect(try catalog.pendingJobs(kind: "rebuild").count == 1, "never a second one while one is pending")
        #expect(try service.status().indexes.first?.tombstonedVectors == 4)

        // A worker runs once per service, so the queued job is picked up by the next start, as after a restart.
        try await withRunningService(try fixture.makeService(configuration: configuration)) { service in
            #expect(try service.catalog.pendingJobs(kind: "rebuild").count == 1, "the start queues no second rebuild")
            let job = try await waitForJob(try #require(queued.first).id, in: service)
            #expect(job.state == .done)
            let index = try #require(try service.status().indexes.first)
            #expect(index.vectors == 6)
            #expect(index.tombstonedVectors == 0)
            for deleted in ["lion", "tiger", "zebra", "eagle"] {
                #expect(try await service.search(deleted, k: 10, ef: nil).results.allSatisfy { $0.id != deleted })
            }
            #expect(try await service.search("owl", k: 1, ef: nil).results.first?.id == "owl")
        }
    }

    @Test func aFractionOfZeroNeverQueuesARebuild() async throws {
        let fixture = try ServiceFixture()
        defer { fixture.remove() }
        let service = try fixture.makeService()
        try await ingestNamed(Array(animals.prefix(4)), into: service, fixture: fixture, running: false)
        for name in animals.prefix(3) { _ = try service.delete(id: name) }
        #expect(try service.catalog.pendingJobs(kind: "rebuild").isEmpty)
        #expect(try service.status().indexes.first?.tombstonedFraction == 0.75)
    }

    @Test func afterAFailedRebuildNoMoreAreQueuedAutomatically() async throws {
        let fixture = try ServiceFixture()
        defer { fixture.remove() }
        var configuration = ServiceConfiguration(dataDirectory: fixture.dataDirectory)
        configuration.autoRebuildTombstoneFraction = 0.2
        let first = try fixture.makeService(configuration: configuration)
        try await ingestNamed(animals, into: first, fixture: fixture, running: false)
        for name in ["lion", "tiger", "zebra"] { _ = try first.delete(id: name) }
        let queued = try #require(try first.catalog.pendingJobs(kind: "rebuild").first)

        // A file where the snapshot directory should be: every snapshot write, and so the rebuild, fails.
        let indexes = fixture.dataDirectory.appendingPathComponent("indexes")
        try FileManager.default.removeItem(at: indexes)
        try Data("not a directory".utf8).write(to: indexes)
        try await withRunningService(try fixture.makeService(configuration: configuration)) { service in
            #expect(try await waitForJob(queued.id, in: service).state == .failed)
            for name in ["eagle", "owl", "crab"] { _ = try service.delete(id: name) }
            #expect(try #require(try service.status().indexes.first).tombstonedFraction > 0.2)
            #expect(try service.catalog.pendingJobs(kind: "rebuild").isEmpty, "no automatic rebuild after a failed one")
            // An admin can still ask for one.
            #expect(try service.rebuild(RebuildRequest()).state == .queued)
        }
    }
}
