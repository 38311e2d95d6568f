import Foundation
import GlimpseAPI
import GlimpseCatalog
import GlimpseTestSupport
import Testing

@testable import GlimpseService

/// "Models" are TestOnlyHashingEmbedder seeds: the same space name and dimension, other vectors.
@Suite struct ReembedTests {
    private let animals = ["lion", "tiger", "zebra", "eagle", "owl"]

    private func vector(of id: String, in catalog: Catalog) throws -> [Float] {
        let item = try #require(try catalog.item(externalID: id))
        #expect(item.liveVectorCount == 1)
        let page = try catalog.vectors(space: "test-only-hashing", after: 0, limit: 10_000)
        let owners = try catalog.hits(vectorIDs: page.map(\.id))
        return try #require(page.first { owners[$0.id]?.externalID == id }).vector
    }

    @Test func aChangedModelIsDetectedAtStartAndEveryCaptionIsEmbeddedAgain() async throws {
        let fixture = try ServiceFixture()
        defer { fixture.remove() }
        let old = TestOnlyHashingEmbedder(seed: 1)
        let new = TestOnlyHashingEmbedder(seed: 2)
        try await withRunningService(try fixture.makeService(embedder: old)) { service in
            try await ingestNamed(animals, into: service, fixture: fixture)
            _ = try service.delete(id: "owl")
            #expect(try service.status().indexes.first?.reembedPending == false)
        }

        let service = try fixture.makeService(embedder: new)
        let queued = try service.catalog.pendingJobs(kind: "rebuild")
        #expect(queued.count == 1, "a re-embedding rebuild is queued at start")
        let before = try #require(try service.status().indexes.first)
        #expect(before.reembedPending)
        #expect(before.modelFingerprint != before.vectorsModelFingerprint)
        try await withRunningService(service) { service in
            let job = try await waitForJob(try #require(queued.first).id, in: service)
            #expect(job.state == .done)
            let after = try #require(try service.status().indexes.first)
            #expect(!after.reembedPending)
            #expect(after.vectorsModelFingerprint == after.modelFingerprint)
            #expect(after.vectors == 4, "one point per live caption, compacted")
            #expect(after.tombstonedVectors == 0)
            for name in ["lion", "tiger", "zebra", "eagle"] {
                let stored = try vector(of: name, in: service.catalog)
                // The catalog keeps vectors as float16: the new model's vector to within that rounding.
                #expect(
                    cosine(stored, try new.embed(["a \(name)"], role: .passage)[0]) > 0.9999,
                    "\(name) holds the new model's vector")
                #expect(try await service.search("a \(name)", k: 1, ef: nil).results.first?.id == name)
            }
            #expect(
                try await service.search("owl", k: 10, ef: nil).results.allSatisfy { $0.id != "owl" },
                "a deleted item stays deleted")
            #expect(try service.status().catalog.vectors == 4)
        }
        // Recorded: the next start with the same model queues nothing.
        let again = try fixture.makeService(embedder: new)
        #expect(try again.catalog.pendingJobs(kind: "rebuild").isEmpty)
        #expect(try again.status().indexes.first?.reembedPending == false)
    }

    @Test func anAdminReembedEmbedsAgainWithTheSameModelWithoutLosingItems() async throws {
        let fixture = try ServiceFixture()
        defer { fixture.remove() }
        try await withRunningService(try fixture.makeService()) { service in
            try await ingestNamed(animals, into: service, fixture: fixture)
            let oldMax = try service.catalog.maxVectorID()
            let job = try await waitForJob(try service.rebuild(RebuildRequest(reembed: true)).jobID, in: service)
            #expect(job.state == .done)
            let status = try service.status()
            #expect(status.catalog.vectors == animals.count)
            #expect(status.catalog.tombstonedVectors == animals.count, "each old vector was replaced")
            #expect(
                try service.catalog.vectors(space: "test-only-hashing", after: 0, limit: 100).allSatisfy {
                    $0.id > oldMax
                })
            for name in animals {
                #expect(try await service.search("a \(name)", k: 1, ef: nil).results.first?.id == name)
            }
        }
    }

    @Test func aReembedCutShortResumesWithTheVectorsNotYetReplacedAndStoresNothingTwice() async throws {
        let fixture = try ServiceFixture()
        defer { fixture.remove() }
        try await withRunningService(try fixture.makeService(embedder: TestOnlyHashingEmbedder(seed: 1))) { service in
            try await ingestNamed(animals, into: service, fixture: fixture)
        }
        let new = TestOnlyHashingEmbedder(seed: 2)
        let service = try fixture.makeService(embedder: new)
        let job = try #require(try service.catalog.pendingJobs(kind: "rebuild").first)
        // What a run killed after its first chunk leaves behind: two vectors already replaced, committed.
        let firstTwo = try service.catalog.liveCaptionVectors(
            space: "test-only-hashing", after: 0, through: .max, limit: 2)
        let vectors = try new.embed(firstTwo.map(\.text), role: .passage)
        let replaced = try service.catalog.replaceVectors(
            zip(firstTwo, vectors).map { (oldID: $0.vectorID, vector: $1) })
        #expect(replaced.count == 2)

        try await withRunningService(service) { service in
            #expect(try await waitForJob(job.id, in: service).state == .done)
            let status = try service.status()
            #expect(status.catalog.vectors == animals.count, "one live vector per caption")
            #expect(status.catalog.tombstonedVectors == animals.count, "each old vector replaced exactly once")
            for name in animals {
                #expect(try service.item(id: name).vectors == 1)
                #expect(
                    cosine(try vector(of: name, in: service.catalog), try new.embed(["a \(name)"], role: .passage)[0])
                        > 0.9999)
            }
            #expect(!(try #require(status.indexes.first).reembedPending))
        }
    }
}
