import Foundation
import GlimpseAPI
import GlimpseCLIP
import GlimpseImage
import GlimpseTestSupport
import Logging
import Testing

@testable import GlimpseService

/// Two spaces at once: the test-only text embedder and the tiny random CLIP fixture checkpoint, which is a real
/// image embedder (Tests/Fixtures/CLIP/clip-tiny).
@Suite struct ImageIngestTests {
    static let clipFolder = CLIPFixtures.clipFolder
    static let imagesFolder = clipFolder.deletingLastPathComponent().appendingPathComponent("images")

    private func makeService(
        _ fixture: ServiceFixture, clipWeights: SpaceWeights = SpaceWeights(), limits: ImageDecodingLimits = .default,
        withCLIP: Bool = true
    ) throws -> GlimpseService {
        var configuration = ServiceConfiguration(dataDirectory: fixture.dataDirectory)
        configuration.imageDecodingLimits = limits
        configuration.snapshotInterval = .seconds(3_600)
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        var spaces = [SpaceModel(text: TestOnlyHashingEmbedder())]
        if withCLIP {
            spaces.append(
                SpaceModel(textAndImage: try CLIPEmbedder.load(folder: Self.clipFolder), weights: clipWeights))
        }
        return try GlimpseService(configuration: configuration, spaces: spaces, modelPath: "(test)", logger: logger)
    }

    private func copyFixtureImage(_ name: String, into fixture: ServiceFixture) throws -> String {
        let target = fixture.directory.appendingPathComponent("images/\(name)")
        try FileManager.default.copyItem(at: Self.imagesFolder.appendingPathComponent(name), to: target)
        return target.path
    }

    private let goodImages = [
        "scene-320x240.jpg", "portrait-180x400.png", "lossy-240x320.webp", "grey-256.jpg", "large-1600x1200.jpg",
    ]

    @Test func imagesAreEmbeddedAndAnExampleImageFindsItsOwnItemFirst() async throws {
        let fixture = try ServiceFixture()
        defer { fixture.remove() }
        let service = try makeService(fixture)
        let paths = try goodImages.map { try copyFixtureImage($0, into: fixture) }
        try await withRunningService(service) { service in
            let items = zip(goodImages, paths).map {
                IngestItem(id: $0, imagePath: $1, captions: ["en": "photo \($0)"])
            }
            let job = try await waitForJob(try service.ingest(items).jobID, in: service)
            #expect(job.inserted == goodImages.count && job.failed == 0)
            // One caption vector per space plus one image vector in the CLIP space.
            #expect(try service.item(id: goodImages[0]).vectors == 3)

            for (name, path) in zip(goodImages, paths) {
                let response = try await service.searchImage(
                    try Data(contentsOf: URL(fileURLWithPath: path)), k: 3, ef: nil)
                #expect(response.results.first?.id == name)
                #expect(response.results.first?.matched.source == "image")
                #expect(response.results.first?.matched.space == "clip-tiny")
                #expect(abs((response.results.first?.score ?? 0) - 1) < 1e-4, "the same image: cosine 1")
                #expect(response.image?.spaces == ["clip-tiny"])
            }
            let text = try await service.search("photo scene-320x240.jpg", k: 3, ef: nil)
            // Five items: each space's nearest 12 vectors hold every item, so each result has a score in both.
            #expect(text.results.first?.id == "scene-320x240.jpg")
            #expect(Set(text.results.first?.scores?.keys.map { $0 } ?? []) == ["test-only-hashing", "clip-tiny"])
        }
    }

    @Test func aBadImageFailsOnlyItsOwnItemWithItsDecodingCode() async throws {
        let fixture = try ServiceFixture()
        defer { fixture.remove() }
        // 1 megapixel at most: the 1600×1200 fixture is "huge" for this daemon.
        let service = try makeService(fixture, limits: ImageDecodingLimits(maxFileBytes: 64 << 20, maxMegapixels: 1))
        let good = try copyFixtureImage("scene-320x240.jpg", into: fixture)
        let huge = try copyFixtureImage("large-1600x1200.jpg", into: fixture)
        let empty = try fixture.image("empty.jpg", bytes: "")
        let text = try fixture.image("notes.jpg", bytes: "this is not an image")
        let full = try Data(contentsOf: URL(fileURLWithPath: good))
        let truncatedURL = fixture.directory.appendingPathComponent("images/truncated.jpg")
        try full.prefix(full.count / 2).write(to: truncatedURL)
        let gifURL = fixture.directory.appendingPathComponent("images/anim.gif")
        try Data("GIF89a\u{1}\0\u{1}\0\0\0\0;".utf8).write(to: gifURL)
        let second = try copyFixtureImage("portrait-180x400.png", into: fixture)
        try await withRunningService(service) { service in
            let items = [
                IngestItem(id: "good", imagePath: good, captions: ["en": "a street scene"]),
                IngestItem(id: "empty", imagePath: empty, captions: ["en": "nothing"]),
                IngestItem(id: "huge", imagePath: huge, captions: ["en": "too many pixels"]),
                IngestItem(id: "text", imagePath: text, captions: ["en": "not a picture"]),
                IngestItem(id: "truncated", imagePath: truncatedURL.path, captions: ["en": "cut short"]),
                IngestItem(id: "gif", imagePath: gifURL.path, captions: ["en": "a gif"]),
                IngestItem(id: "second", imagePath: second, captions: ["en": "a portrait"]),
            ]
            let job = try await waitForJob(try service.ingest(items).jobID, in: service)
            #expect(job.state == .done)
            #expect(job.inserted == 2)
            #expect(job.failed == 5)
            let errors = Dictionary(uniqueKeysWithValues: job.errors.map { ($0.id ?? "", $0.message) })
            #expect(errors["empty"]?.hasPrefix("image_empty:") == true, "\(errors)")
            #expect(errors["huge"]?.hasPrefix("image_too_large:") == true, "\(errors)")
            #expect(errors["text"]?.hasPrefix("image_unsupported_format:") == true, "\(errors)")
            #expect(errors["truncated"]?.hasPrefix("image_truncated:") == true, "\(errors)")
            #expect(errors["gif"]?.hasPrefix("image_unsupported_format:") == true, "\(errors)")
            #expect(errors["huge"]?.contains(huge) == true, "the message names the file")
            // The item fails whole: nothing of it is stored, not even its captions.
            #expect(throws: ServiceError.self) { try service.item(id: "huge") }
            #expect(try await service.search("a street scene", k: 1, ef: nil).results.first?.id == "good")
            #expect(
                try await service.searchImage(Data(contentsOf: URL(fileURLWithPath: second)), k: 1, ef: nil)
                    .results.first?.id == "second")
        }
    }

    @Test func reingestingUnchangedContentEmbedsNothingAgain() async throws {
        let fixture = try ServiceFixture()
        defer { fixture.remove() }
        let service = try makeService(fixture)
        let path = try copyFixtureImage("scene-320x240.jpg", into: fixture)
        try await withRunningService(service) { service in
            let item = IngestItem(id: "scene", imagePath: path, captions: ["en": "a street"])
            #expect(try await waitForJob(try service.ingest([item]).jobID, in: service).inserted == 1)
            let vectorsBefore = try service.status().catalog.vectors
            let again = try await waitForJob(try service.ingest([item]).jobID, in: service)
            #expect(again.unchanged == 1 && again.inserted == 0 && again.updated == 0)
            let status = try service.status()
            #expect(status.catalog.vectors == vectorsBefore)
            #expect(status.catalog.tombstonedVectors == 0)
            #expect(status.indexes.first { $0.space == "clip-tiny" }?.vectors == 2)
        }
    }

    @Test func exampleImageSearchNeedsAnImageSpaceAndADecodableImage() async throws {
        let fixture = try ServiceFixture()
        defer { fixture.remove() }
        let textOnly = try makeService(fixture, withCLIP: false)
        let jpeg = try Data(contentsOf: Self.imagesFolder.appendingPathComponent("scene-320x240.jpg"))
        await #expect { try await textOnly.searchImage(jpeg, k: 3, ef: nil) } throws: { error in
            (error as? ServiceError)?.code == "no_image_space"
        }
        let other = try ServiceFixture()
        defer { other.remove() }
        let service = try makeService(other)
        await #expect { try await service.searchImage(jpeg.prefix(jpeg.count / 2), k: 3, ef: nil) } throws: { error in
            (error as? ServiceError)?.code == "image_truncated" && (error as? ServiceError)?.kind == .invalidRequest
        }
        await #expect { try await service.searchImage(Data(), k: 3, ef: nil) } throws: { error in
            (error as? ServiceError)?.code == "image_empty"
        }
        await #expect { try await service.searchImage(jpeg, k: 0, ef: nil) } throws: { error in
            (error as? ServiceError)?.code == "invalid_k"
        }
        // An empty catalog answers with no results, not an error.
        #expect(try await service.searchImage(jpeg, k: 3, ef: nil).results.isEmpty)
    }

    @Test func reembeddingEmbedsImagesAgainAndDropsTheVectorOfAnImageThatIsGone() async throws {
        let fixture = try ServiceFixture()
        defer { fixture.remove() }
        let service = try makeService(fixture)
        let kept = try copyFixtureImage("scene-320x240.jpg", into: fixture)
        let gone = try copyFixtureImage("portrait-180x400.png", into: fixture)
        try await withRunningService(service) { service in
            let items = [
                IngestItem(id: "kept", imagePath: kept, captions: ["en": "a street"]),
                IngestItem(id: "gone", imagePath: gone, captions: ["en": "a portrait"]),
            ]
            #expect(try await waitForJob(try service.ingest(items).jobID, in: service).inserted == 2)
            try FileManager.default.removeItem(atPath: gone)
            let job = try await waitForJob(try service.rebuild(RebuildRequest(reembed: true)).jobID, in: service)
            #expect(job.state == .done)
            // 2 × 2 caption vectors and 1 image vector again; the image vector of "gone" is dropped.
            let status = try service.status()
            #expect(status.catalog.vectors == 5)
            #expect(status.indexes.first { $0.space == "clip-tiny" }?.vectors == 3)
            #expect(try service.item(id: "gone").vectors == 2)
            let found = try await service.searchImage(Data(contentsOf: URL(fileURLWithPath: kept)), k: 2, ef: nil)
            #expect(found.results.first?.id == "kept")
            #expect(found.results.first?.matched.source == "image")
            #expect(abs((found.results.first?.score ?? 0) - 1) < 1e-4)
        }
    }
}
