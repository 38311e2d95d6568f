import Foundation
import GlimpseAPI
import Testing

@testable import GlimpseService

@Suite struct IngestTests {
    @Test func ingestedCaptionIsFoundBySearch() async throws {
        let fixture = try ServiceFixture()
        defer { fixture.remove() }
        let dog = try fixture.image("dog.jpg")
        let car = try fixture.image("car.jpg")
        let service = try fixture.makeService()
        try await withRunningService(service) { service in
            let accepted = try service.ingest([
                IngestItem(imagePath: dog, captions: ["en": "a brown dog on the grass"]),
                IngestItem(id: "car-1", imagePath: car, captions: ["en": "a red car in the street"]),
            ])
            #expect(accepted.accepted == 2)
            let job = try await waitForJob(accepted.jobID, in: service)
            #expect(job.state == .done)
            #expect(job.inserted == 2)
            #expect(job.failed == 0)

            let results = try await service.search("dog", k: 5, ef: nil).results
            #expect(results.first?.id == dog, "an item without an id is stored under its image path")
            #expect(results.first?.captions == ["en": "a brown dog on the grass"])
            #expect(results.first?.matched.language == "en")
            let carResults = try await service.search("red car", k: 1, ef: nil).results
            #expect(carResults.map(\.id) == ["car-1"])
        }
    }

    @Test func searchReturnsDistinctItemsEvenWithSeveralCaptionsEach() async throws {
        let fixture = try ServiceFixture()
        defer { fixture.remove() }
        let service = try fixture.makeService()
        try await withRunningService(service) { service in
            var items: [IngestItem] = []
            for i in 0..<6 {
                items.append(
                    IngestItem(
                        id: "item-\(i)", imagePath: try fixture.image("\(i).jpg"),
                        captions: ["en": "a cat number \(i)", "zh": "猫 cat \(i)", "fr": "un chat cat \(i)"]))
            }
            _ = try await waitForJob(try service.ingest(items).jobID, in: service)
            let results = try await service.search("cat", k: 5, ef: nil).results
            #expect(results.count == 5)
            #expect(Set(results.map(\.id)).count == 5)
            #expect(results.map(\.score) == results.map(\.score).sorted(by: >))
        }
    }

    @Test func reingestingTheSameManifestChangesNothing() async throws {
        let fixture = try ServiceFixture()
        defer { fixture.remove() }
        let service = try fixture.makeService()
        let items = [
            IngestItem(imagePath: try fixture.image("a.jpg"), captions: ["en": "an apple"]),
            IngestItem(imagePath: try fixture.image("b.jpg"), captions: ["zh": "一个橙子"]),
        ]
        try await withRunningService(service) { service in
            _ = try await waitForJob(try service.ingest(items).jobID, in: service)
            let again = try await waitForJob(try service.ingest(items).jobID, in: service)
            #expect(again.unchanged == 2)
            #expect(again.inserted == 0)
            let status = try service.status()
            #expect(status.catalog.items == 2)
            #expect(status.catalog.vectors == 2)
            #expect(status.indexes[0].vectors == 2)
        }
    }

    @Test func changedCaptionReplacesTheOldVector() async throws {
        let fixture = try ServiceFixture()
        defer { fixture.remove() }
        let service = try fixture.makeService()
        let path = try fixture.image("pet.jpg")
        try await withRunningService(service) { service in
            _ = try await waitForJob(
                try service.ingest([IngestItem(id: "pet", imagePath: path, captions: ["en": "a sleeping hamster"])])
                    .jobID, in: service)
            let update = try await waitForJob(
                try service.ingest([IngestItem(id: "pet", imagePath: path, captions: ["en": "a jumping kangaroo"])])
                    .jobID, in: service)
            #expect(update.updated == 1)
            let old = try await service.search("hamster", k: 5, ef: nil).results
            #expect(old.allSatisfy { $0.captions["en"] != "a sleeping hamster" })
            let new = try await service.search("kangaroo", k: 1, ef: nil).results
            #expect(new.first?.id == "pet")
            #expect(try service.item(id: "pet").captions == ["en": "a jumping kangaroo"])
            let status = try service.status()
            #expect(status.catalog.vectors == 1)
            #expect(status.catalog.tombstonedVectors == 1)
        }
    }

    @Test func missingImageFailsOnlyThatItem() async throws {
        let fixture = try ServiceFixture()
        defer { fixture.remove() }
        let service = try fixture.makeService()
        try await withRunningService(service) { service in
            let job = try await waitForJob(
                try service.ingest([
                    IngestItem(imagePath: try fixture.image("ok.jpg"), captions: ["en": "a duck"]),
                    IngestItem(
                        imagePath: fixture.directory.appendingPathComponent("nope.jpg").path,
                        captions: ["en": "a goose"]),
                    IngestItem(imagePath: fixture.directory.path, captions: ["en": "a folder"]),
                ]).jobID, in: service)
            #expect(job.state == .done)
            #expect(job.inserted == 1)
            #expect(job.failed == 2)
            #expect(job.errors.map(\.index) == [1, 2])
            #expect(job.errors[0].message.contains("image not found"))
            #expect(job.errors[1].message.contains("directory"))
            #expect(try service.status().catalog.items == 1)
        }
    }
}
