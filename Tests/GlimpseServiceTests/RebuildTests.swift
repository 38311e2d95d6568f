import Foundation
import GlimpseAPI
import Testing

@testable import GlimpseService

@Suite struct RebuildTests {
    private let animals = ["lion", "tiger", "zebra", "eagle", "owl", "crab", "bee", "moose", "camel", "otter"]

    @Test func rebuildCompactsDeletedVectorsAndKeepsSearchResults() async throws {
        let fixture = try ServiceFixture()
        defer { fixture.remove() }
        let service = try fixture.makeService()
        try await withRunningService(service) { service in
            try await ingestNamed(animals, into: service, fixture: fixture)
            _ = try service.delete(id: "lion")
            _ = try service.delete(id: "crab")
            var before: [String: [String]] = [:]
            for name in animals { before[name] = try await service.search(name, k: 3, ef: nil).results.map(\.id) }
            #expect(service.spaces[0].index.count == 10, "HNSW keeps deleted points until a rebuild")

            let accepted = try service.rebuild(RebuildRequest())
            let job = try await waitForJob(accepted.jobID, in: service)
            #expect(job.state == .done)
            #expect(job.kind == .rebuild)
            #expect(job.total == 8)
            #expect(job.done == 8)
            #expect(service.spaces[0].index.count == 8, "deleted vectors are compacted away")
            for name in animals {
                #expect(try await service.search(name, k: 3, ef: nil).results.map(\.id) == before[name], "\(name)")
            }
        }
        // The rebuilt index was snapshotted: a restart loads it instead of the old one.
        let restarted = try fixture.makeService()
        #expect(restarted.spaces[0].index.count == 8)
        #expect(try await restarted.search("lion", k: 10, ef: nil).results.allSatisfy { $0.id != "lion" })
    }

    @Test func rebuildAppliesNewParametersAndRefusesBadOnes() async throws {
        let fixture = try ServiceFixture()
        defer { fixture.remove() }
        let service = try fixture.makeService()
        try await withRunningService(service) { service in
            try await ingestNamed(Array(animals.prefix(4)), into: service, fixture: fixture)
            let job = try await waitForJob(
                try service.rebuild(RebuildRequest(m: 8, efConstruction: 40)).jobID, in: service)
            #expect(job.state == .done)
            let parameters = service.spaces[0].index.parameters
            #expect(parameters.m == 8)
            #expect(parameters.efConstruction == 40)
            #expect(try service.status().indexes.first?.m == 8)
            #expect(try await service.search("eagle", k: 1, ef: nil).results.first?.id == "eagle")

            for bad in [RebuildRequest(m: 1), RebuildRequest(m: 100_000), RebuildRequest(efConstruction: 0)] {
                #expect(throws: ServiceError.self) { try service.rebuild(bad) }
            }
        }
    }

    @Test func searchesKeepAnsweringWhileARebuildRuns() async throws {
        let fixture = try ServiceFixture()
        defer { fixture.remove() }
        let service = try fixture.makeService()
        try await withRunningService(service) { service in
            try await ingestNamed(animals, into: service, fixture: fixture)
            let accepted = try service.rebuild(RebuildRequest())
            var answered = 0
            while try service.job(id: accepted.jobID).state.isFinished == false || answered < 20 {
                let results = try await service.search("otter", k: 1, ef: nil).results
                #expect(results.first?.id == "otter")
                answered += 1
            }
            #expect(try service.job(id: accepted.jobID).state == .done)
        }
    }

    @Test func aRebuildInterruptedByACrashRunsAgainAtStart() async throws {
        let fixture = try ServiceFixture()
        defer { fixture.remove() }
        let first = try fixture.makeService()
        try await withRunningService(first) { service in
            try await ingestNamed(["moose", "camel", "otter"], into: service, fixture: fixture)
            _ = try service.delete(id: "camel")
        }
        // Queued and claimed, then the process "died" before the swap: the old snapshot is still the one on disk.
        let crashed = try fixture.makeService()
        let accepted = try crashed.rebuild(RebuildRequest())
        _ = try crashed.catalog.claimNextJob()

        let restarted = try fixture.makeService()
        #expect(restarted.spaces[0].index.count == 3, "the old index, with camel's tombstoned vector, is loaded")
        try await withRunningService(restarted) { service in
            let job = try await waitForJob(accepted.jobID, in: service)
            #expect(job.state == .done)
            #expect(service.spaces[0].index.count == 2)
            #expect(try await service.search("camel", k: 5, ef: nil).results.allSatisfy { $0.id != "camel" })
        }
    }
}
