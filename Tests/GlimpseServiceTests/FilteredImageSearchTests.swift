import Foundation
import GlimpseAPI
import GlimpseCLIP
import GlimpseTestSupport
import Logging
import Testing

@testable import GlimpseService

/// Filters and paging on search by example image and on "more like this", over two spaces (the test-only text
/// embedder and the tiny CLIP fixture, a real image embedder).
@Suite struct FilteredImageSearchTests {
    static let imagesFolder = CLIPFixtures.clipFolder.deletingLastPathComponent().appendingPathComponent("images")
    private let images = [
        "scene-320x240.jpg", "portrait-180x400.png", "lossy-240x320.webp", "grey-256.jpg", "large-1600x1200.jpg",
    ]

    private func owner(_ index: Int) -> String { index % 2 == 0 ? "u1" : "u2" }

    private func ownerFilter(_ owner: String) -> SearchFilter {
        .condition(field: "owner", test: .eq(.string(owner)))
    }

    @Test func imageAndSimilarSearchesReturnOnlyMatchingItems() async throws {
        let fixture = try ServiceFixture()
        defer { fixture.remove() }
        var configuration = ServiceConfiguration(dataDirectory: fixture.dataDirectory)
        configuration.snapshotInterval = .seconds(3_600)
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        let service = try GlimpseService(
            configuration: configuration,
            spaces: [
                SpaceModel(text: TestOnlyHashingEmbedder()),
                SpaceModel(textAndImage: try CLIPEmbedder.load(folder: CLIPFixtures.clipFolder)),
            ],
            modelPath: "(test)", logger: logger)
        var paths: [String] = []
        for name in images {
            let target = fixture.directory.appendingPathComponent("images/\(name)")
            try FileManager.default.copyItem(at: Self.imagesFolder.appendingPathComponent(name), to: target)
            paths.append(target.path)
        }
        try await withRunningService(service) { service in
            let items = images.indices.map { index in
                IngestItem(
                    id: images[index], imagePath: paths[index], captions: ["en": "photo \(images[index])"],
                    fields: ["owner": .string(owner(index))])
            }
            let job = try await waitForJob(try service.ingest(items).jobID, in: service)
            #expect(job.inserted == images.count)

            for (index, path) in paths.enumerated() {
                let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
                for wanted in ["u1", "u2"] {
                    let response = try await service.searchImage(
                        bytes, k: 5, ef: nil, paging: SearchPaging(filter: ownerFilter(wanted)))
                    let expected = Set(images.indices.filter { owner($0) == wanted }.map { images[$0] })
                    #expect(Set(response.results.map(\.id)) == expected, "\(images[index]) filtered to \(wanted)")
                    #expect(response.results.allSatisfy { $0.fields?["owner"] == .string(wanted) })
                    if owner(index) == wanted { #expect(response.results.first?.id == images[index]) }
                }
                let similar = try await service.similar(
                    id: images[index], k: 5, ef: nil, paging: SearchPaging(filter: ownerFilter("u1")))
                let expected = Set(images.indices.filter { owner($0) == "u1" && $0 != index }.map { images[$0] })
                #expect(Set(similar.results.map(\.id)) == expected, "similar to \(images[index])")
            }

            // Pages of two with a cursor cover the five items once; offset gives the same pages.
            let bytes = try Data(contentsOf: URL(fileURLWithPath: paths[0]))
            var seen: [String] = []
            var cursor: String?
            repeat {
                let page = try await service.searchImage(bytes, k: 2, ef: nil, paging: SearchPaging(cursor: cursor))
                seen += page.results.map(\.id)
                cursor = page.nextCursor
            } while cursor != nil
            #expect(seen.count == images.count && Set(seen) == Set(images))
            let second = try await service.searchImage(bytes, k: 2, ef: nil, paging: SearchPaging(offset: 2))
            #expect(second.results.map(\.id) == Array(seen[2..<4]))
            // A cursor of another request is refused.
            let textPage = try await service.search("photo", k: 2, ef: nil, paging: SearchPaging())
            let foreign = try #require(textPage.nextCursor)
            await #expect {
                try await service.searchImage(bytes, k: 2, ef: nil, paging: SearchPaging(cursor: foreign))
            } throws: { error in (error as? ServiceError)?.errorCode == .invalidCursor }
            await #expect { try await service.similar(id: "missing", k: 2, ef: nil, paging: SearchPaging()) } throws: {
                error in (error as? ServiceError)?.errorCode == .notFound
            }
            // Bulk delete by filter: a dry run counts, then the items are gone from every search.
            #expect(try service.deleteItems(filter: ownerFilter("u2"), dryRun: true).matched == 2)
            #expect(try service.items(filter: nil, limit: 10, cursor: nil).items.count == 5)
            let deleted = try service.deleteItems(filter: ownerFilter("u2"), dryRun: false)
            #expect(
                deleted.matched == 2 && deleted.tombstonedVectors == 6, "two caption vectors and one image vector each")
            let after = try await service.searchImage(bytes, k: 5, ef: nil, paging: SearchPaging())
            #expect(Set(after.results.map(\.id)) == Set(images.indices.filter { owner($0) == "u1" }.map { images[$0] }))
        }
    }
}
