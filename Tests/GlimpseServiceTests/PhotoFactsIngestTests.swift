import Foundation
import GlimpseAPI
import GlimpseCatalog
import GlimpseTestSupport
import Testing

@testable import GlimpseService

/// Photo facts at ingest in a text-only service: stored, returned, replaced when the file changes, absent for items
/// stored before them, and filterable by the `photo.*` built-ins (whose names user fields cannot take). A file
/// that is no image fails its item (the image check of a text-only daemon, issue 13.1).
@Suite struct PhotoFactsIngestTests {
    static let factsFolder = TestFixtures.root.appendingPathComponent("PhotoFacts")
    static let clipImages = CLIPFixtures.images

    private func names(_ response: ItemListResponse) -> [String] { response.items.map(\.id).sorted() }

    @Test func factsAreStoredReplacedFilteredAndNeverFailAnItem() async throws {
        let fixture = try ServiceFixture()
        defer { fixture.remove() }
        let service = try fixture.makeService()
        func copy(_ source: URL, as name: String) throws -> String {
            let target = fixture.directory.appendingPathComponent("images/\(name)")
            try? FileManager.default.removeItem(at: target)
            try FileManager.default.copyItem(at: source, to: target)
            return target.path
        }
        let rotated = try copy(Self.factsFolder.appendingPathComponent("offset-rotated.jpg"), as: "a.jpg")
        let png = try copy(Self.factsFolder.appendingPathComponent("no-offset.png"), as: "b.png")
        let large = try copy(Self.clipImages.appendingPathComponent("large-1600x1200.jpg"), as: "c.jpg")
        let text = try fixture.image("d.jpg", bytes: "not a picture at all")
        try await withRunningService(service) { service in
            let items = [("a", rotated), ("b", png), ("c", large), ("d", text)].map {
                IngestItem(id: $0.0, imagePath: $0.1, captions: ["en": "photo \($0.0)"])
            }
            let job = try await waitForJob(try service.ingest(items).jobID, in: service)
            #expect(job.inserted == 3 && job.failed == 1, "\(job.errors)")
            #expect(job.errors.first?.message.hasPrefix("image_unsupported_format:") == true, "\(job.errors)")
            // An item without facts, as one stored before migration 0007 is.
            _ = try service.catalog.upsertItem(
                NewItem(
                    externalID: "d", imagePath: text, contentHash: "stored before 0007", captions: ["en": "photo d"]),
                vectors: [])
            #expect(
                try service.item(id: "a").photo
                    == PhotoFactsResponse(takenAt: "2024-05-17T06:03:59Z", utcOffset: "+08:00", width: 48, height: 64))
            #expect(
                try service.item(id: "b").photo
                    == PhotoFactsResponse(takenAt: "2023-12-31T23:59:58Z", utcOffset: nil, width: 64, height: 48))
            #expect(
                try service.item(id: "c").photo
                    == PhotoFactsResponse(takenAt: nil, utcOffset: nil, width: 1600, height: 1200))
            #expect(try service.item(id: "d").photo == nil)

            func listed(_ filter: String) throws -> [String] {
                names(try service.items(filter: try SearchFilter(parsing: filter), limit: nil, cursor: nil))
            }
            #expect(try listed(#"{"field":"photo.taken_at","gte":"2024-01-01T00:00:00Z"}"#) == ["a"])
            #expect(try listed(#"{"field":"photo.taken_at","lt":"2024-05-17T06:03:59Z"}"#) == ["b"])
            #expect(try listed(#"{"field":"photo.taken_at","eq":"2024-05-17T14:03:59+08:00"}"#) == ["a"])
            #expect(try listed(#"{"field":"photo.taken_at","exists":false}"#) == ["c", "d"])
            #expect(try listed(#"{"field":"photo.width","gt":48}"#) == ["b", "c"])
            #expect(try listed(#"{"field":"photo.width","in":[48,1600]}"#) == ["a", "c"])
            #expect(try listed(#"{"field":"photo.height","eq":1200}"#) == ["c"])
            #expect(try listed(#"{"not":{"field":"photo.height","exists":true}}"#) == ["d"])
            let search = try await service.search(
                "photo", k: 4, ef: nil,
                paging: SearchPaging(filter: try SearchFilter(parsing: #"{"field":"photo.width","lte":64}"#)))
            #expect(Set(search.results.map(\.id)) == ["a", "b"])
            #expect(search.results.allSatisfy { $0.photo != nil }, "results carry their facts")

            // Tests a built-in cannot answer, and user fields named like one, are refused.
            for bad in [
                #"{"field":"photo.taken_at","gte":5}"#, #"{"field":"photo.width","gte":"2024-01-01T00:00:00Z"}"#,
                #"{"field":"photo.taken_at","in":["2024-01-01T00:00:00Z"]}"#,
            ] {
                #expect(throws: ServiceError.self, "\(bad)") { try listed(bad) }
            }
            #expect(throws: ServiceError.self) {
                try service.ingest([
                    IngestItem(imagePath: png, captions: ["en": "x"], fields: ["photo.taken_at": .string("now")])
                ])
            }

            // A changed file gets the new facts at its re-ingest.
            _ = try copy(Self.clipImages.appendingPathComponent("large-1600x1200.jpg"), as: "a.jpg")
            let again = try await waitForJob(try service.ingest([items[0]]).jobID, in: service)
            #expect(again.updated == 1)
            #expect(
                try service.item(id: "a").photo
                    == PhotoFactsResponse(takenAt: nil, utcOffset: nil, width: 1600, height: 1200))
        }
    }
}
