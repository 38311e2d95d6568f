import Foundation
import GlimpseAPI
import Testing

@testable import GlimpseService

@Suite struct DeleteTests {
    @Test func aDeletedItemIsNeverReturnedBeforeOrAfterRestart() async throws {
        let fixture = try ServiceFixture()
        defer { fixture.remove() }
        let first = try fixture.makeService()
        try await withRunningService(first) { service in
            try await ingestNamed(["lion", "tiger", "zebra"], into: service, fixture: fixture)
            #expect(try await service.search("lion", k: 1, ef: nil).results.first?.id == "lion")

            let deleted = try service.delete(id: "lion")
            #expect(deleted == DeleteResponse(id: "lion", tombstonedVectors: 1))
            let ids = try await service.search("lion", k: 10, ef: nil).results.map(\.id)
            #expect(!ids.contains("lion"))
            #expect(Set(ids) == ["tiger", "zebra"], "the other items are still found")
            #expect(throws: ServiceError.self) { try service.item(id: "lion") }
            let status = try service.status()
            #expect(status.catalog.items == 2)
            #expect(status.catalog.tombstonedVectors == 1)
        }

        // The index snapshot still holds lion's vector; the catalog's tombstone must keep it out after a restart.
        let second = try fixture.makeService()
        #expect(second.spaces[0].index.count == 3)
        let ids = try await second.search("lion", k: 10, ef: nil).results.map(\.id)
        #expect(!ids.contains("lion"))
        #expect(ids.count == 2)
    }

    @Test func deletingAnUnknownItemIsNotFoundAndChangesNothing() async throws {
        let fixture = try ServiceFixture()
        defer { fixture.remove() }
        let service = try fixture.makeService()
        try await withRunningService(service) { service in
            try await ingestNamed(["owl"], into: service, fixture: fixture)
            do {
                _ = try service.delete(id: "nope")
                Issue.record("deleting an unknown id must fail")
            } catch let error as ServiceError {
                #expect(error.kind == .notFound)
                #expect(error.message.contains("nope"))
            }
            #expect(try service.status().catalog.items == 1)
            #expect(try await service.search("owl", k: 1, ef: nil).results.first?.id == "owl")
        }
    }

    @Test func aDeletedItemCanBeIngestedAgain() async throws {
        let fixture = try ServiceFixture()
        defer { fixture.remove() }
        let service = try fixture.makeService()
        try await withRunningService(service) { service in
            try await ingestNamed(["crab"], into: service, fixture: fixture)
            _ = try service.delete(id: "crab")
            try await ingestNamed(["crab"], into: service, fixture: fixture)
            let results = try await service.search("crab", k: 10, ef: nil).results
            #expect(results.map(\.id) == ["crab"], "found once, through its new vector only")
            #expect(try service.item(id: "crab").vectors == 1)
        }
    }
}
