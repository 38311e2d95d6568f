import Foundation
import GlimpseAPI
import GlimpseCLIP
import GlimpseImage
import GlimpseTestSupport
import Logging
import Testing

@testable import GlimpseService

/// Items without captions (issue 13.1): found by their picture when a space embeds images, refused otherwise.
@Suite struct ImageOnlyItemTests {
    static let imagesFolder = CLIPFixtures.images

    static func makeService(
        _ fixture: ServiceFixture, withCLIP: Bool = true, labeler: (any ImageLabeler)? = nil,
        configure: (inout ServiceConfiguration) -> Void = { _ in }
    ) throws -> GlimpseService {
        var configuration = ServiceConfiguration(dataDirectory: fixture.dataDirectory)
        configuration.snapshotInterval = .seconds(3_600)
        configure(&configuration)
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        var spaces = [SpaceModel(text: TestOnlyHashingEmbedder())]
        if withCLIP {
            spaces.append(SpaceModel(textAndImage: try CLIPEmbedder.load(folder: CLIPFixtures.clipFolder)))
        }
        return try GlimpseService(
            configuration: configuration, spaces: spaces, modelPath: "(test)", logger: logger, labeler: labeler)
    }

    static func copyFixtureImage(_ name: String, into fixture: ServiceFixture) throws -> String {
        let target = fixture.directory.appendingPathComponent("images/\(name)")
        try FileManager.default.copyItem(at: imagesFolder.appendingPathComponent(name), to: target)
        return target.path
    }

    @Test func anImageOnlyItemIsEmbeddedInTheImageSpaceOnlyAndFoundByItsPicture() async throws {
        let fixture = try ServiceFixture()
        defer { fixture.remove() }
        let service = try Self.makeService(fixture)
        let names = ["scene-320x240.jpg", "portrait-180x400.png", "lossy-240x320.webp"]
        let paths = try names.map { try Self.copyFixtureImage($0, into: fixture) }
        try await withRunningService(service) { service in
            // Two image-only items beside one captioned item, in one job.
            let items = [
                IngestItem(id: names[0], imagePath: paths[0], captions: [:]),
                IngestItem(id: names[1], imagePath: paths[1], captions: [:]),
                IngestItem(id: names[2], imagePath: paths[2], captions: ["en": "a lossy photo"]),
            ]
            let job = try await waitForJob(try service.ingest(items).jobID, in: service)
            #expect(job.inserted == 3 && job.failed == 0, "\(job.errors)")
            let imageOnly = try service.item(id: names[0])
            #expect(imageOnly.captions.isEmpty)
            #expect(imageOnly.vectors == 1, "one image vector in the CLIP space, nothing in the text-only space")
            #expect(try service.item(id: names[2]).vectors == 3)
            let status = try service.status()
            #expect(status.indexes.first { $0.space == "test-only-hashing" }?.vectors == 1)
            #expect(status.indexes.first { $0.space == "clip-tiny" }?.vectors == 4)
            for (name, path) in zip(names, paths) {
                let response = try await service.searchImage(
                    try Data(contentsOf: URL(fileURLWithPath: path)), k: 3, ef: nil)
                #expect(response.results.first?.id == name)
                #expect(response.results.first?.matched.source == "image")
            }
        }
    }

    @Test func anImageOnlyItemIsRefusedWithoutAnImageSpace() throws {
        let fixture = try ServiceFixture()
        defer { fixture.remove() }
        let service = try Self.makeService(fixture, withCLIP: false)
        let path = try Self.copyFixtureImage("scene-320x240.jpg", into: fixture)
        #expect {
            try service.ingest([IngestItem(id: "a", imagePath: path, captions: [:])])
        } throws: { error in
            let error = error as? ServiceError
            return error?.code == "no_image_space" && error?.kind == .invalidRequest
                && error?.message.contains("`spaces`") == true
        }
        #expect(try service.status().catalog.items == 0)
    }

    // MARK: - The image check of a daemon without an image space

    @Test func aBrokenImageFailsItsOwnItemInATextOnlyDaemonWithTheCodeACLIPDaemonGives() async throws {
        let fixture = try ServiceFixture()
        defer { fixture.remove() }
        let service = try Self.makeService(fixture, withCLIP: false) { configuration in
            configuration.imageDecodingLimits = ImageDecodingLimits(maxFileBytes: 64 << 20, maxMegapixels: 1)
        }
        let good = try Self.copyFixtureImage("scene-320x240.jpg", into: fixture)
        let png = try Self.copyFixtureImage("portrait-180x400.png", into: fixture)
        let huge = try Self.copyFixtureImage("large-1600x1200.jpg", into: fixture)
        let empty = try fixture.image("empty.jpg", bytes: "")
        let text = try fixture.image("notes.jpg", bytes: "this is not an image")
        let full = try Data(contentsOf: URL(fileURLWithPath: good))
        // Cut after its header: a header check alone would pass it.
        let truncated = fixture.directory.appendingPathComponent("images/truncated.jpg")
        try full.prefix(full.count / 2).write(to: truncated)
        let gif = fixture.directory.appendingPathComponent("images/anim.gif")
        try Data("GIF89a\u{1}\0\u{1}\0\0\0\0;".utf8).write(to: gif)
        let directory = fixture.directory.appendingPathComponent("images/folder.jpg")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try await withRunningService(service) { service in
            let items = [
                IngestItem(id: "good", imagePath: good, captions: ["en": "a street scene"]),
                IngestItem(id: "empty", imagePath: empty, captions: ["en": "nothing"]),
                IngestItem(id: "huge", imagePath: huge, captions: ["en": "too many pixels"]),
                IngestItem(id: "text", imagePath: text, captions: ["en": "not a picture"]),
                IngestItem(id: "truncated", imagePath: truncated.path, captions: ["en": "cut short"]),
                IngestItem(id: "gif", imagePath: gif.path, captions: ["en": "a gif"]),
                IngestItem(id: "directory", imagePath: directory.path, captions: ["en": "a folder"]),
                IngestItem(id: "png", imagePath: png, captions: ["en": "a portrait"]),
            ]
            let job = try await waitForJob(try service.ingest(items).jobID, in: service)
            #expect(job.state == .done)
            #expect(job.inserted == 2, "\(job.errors)")
            #expect(job.failed == 6)
            let errors = Dictionary(uniqueKeysWithValues: job.errors.map { ($0.id ?? "", $0.message) })
            #expect(errors["empty"]?.hasPrefix("image_empty:") == true, "\(errors)")
            #expect(errors["huge"]?.hasPrefix("image_too_large:") == true, "\(errors)")
            #expect(errors["text"]?.hasPrefix("image_unsupported_format:") == true, "\(errors)")
            #expect(errors["truncated"]?.hasPrefix("image_truncated:") == true, "\(errors)")
            #expect(errors["gif"]?.hasPrefix("image_unsupported_format:") == true, "\(errors)")
            #expect(errors["truncated"]?.contains(truncated.path) == true, "the message names the file")
            #expect(errors["directory"]?.contains("directory") == true, "\(errors)")
            #expect(throws: ServiceError.self) { try service.item(id: "truncated") }
            #expect(try await service.search("a street scene", k: 1, ef: nil).results.first?.id == "good")
            #expect(try await service.search("a portrait", k: 1, ef: nil).results.first?.id == "png")
        }
    }

    // MARK: - Automatic captions

    /// The Chinese caption the labeler's vocabulary gives for an English automatic caption.
    private static func chinese(forEnglish caption: String) -> String {
        caption.components(separatedBy: ", ").map { name in
            TestOnlyLabeler.vocabulary.first { $0.english == name }?.chinese ?? "?"
        }.joined(separator: "、")
    }

    @Test func anImageOnlyItemGetsItsLabelsAsAutomaticCaptionsFoundByTextInBothLanguages() async throws {
        let fixture = try ServiceFixture()
        defer { fixture.remove() }
        let labeler = TestOnlyLabeler(spaceName: "clip-tiny")
        let service = try Self.makeService(fixture, labeler: labeler)
        let names = ["scene-320x240.jpg", "portrait-180x400.png", "lossy-240x320.webp", "grey-256.jpg"]
        let paths = try names.map { try Self.copyFixtureImage($0, into: fixture) }
        try await withRunningService(service) { service in
            var items = zip(names, paths).map { IngestItem(id: $0, imagePath: $1, captions: [:]) }
            items[3].captions = ["en": "a grey square"]
            let job = try await waitForJob(try service.ingest(items).jobID, in: service)
            #expect(job.inserted == 4 && job.failed == 0, "\(job.errors)")
            #expect(labeler.calls == 3, "only the image-only items are labelled")

            let given = try service.item(id: names[3])
            #expect(given.captions == ["en": "a grey square"])
            #expect(given.captionSources == nil, "given captions carry no source")
            for name in names.prefix(3) {
                let item = try service.item(id: name)
                #expect(item.captionSources == ["en": "auto", "zh": "auto"])
                let english = try #require(item.captions["en"])
                // Two labels pass the default floor of 0.05 (0.6 and 0.3; the third has 0.04).
                #expect(english.components(separatedBy: ", ").count == 2, "\(english)")
                #expect(item.captions["zh"] == Self.chinese(forEnglish: english))
                // The image vector, and both captions in both spaces.
                #expect(item.vectors == 5)

                for query in [english, try #require(item.captions["zh"])] {
                    let results = try await service.search(query, k: 10, ef: nil).results
                    #expect(results.first?.captions == item.captions, "\(query)")
                    #expect(results.first?.captionSources == ["en": "auto", "zh": "auto"])
                    #expect(results.contains { $0.id == name }, "\(query) finds \(name)")
                }
            }
            let page = try service.items(filter: nil, limit: nil, cursor: nil)
            #expect(page.items.filter { $0.captionSources != nil }.count == 3)
        }
    }

    @Test func givenCaptionsAreNeverOverwrittenAndReplaceAutomaticOnes() async throws {
        let fixture = try ServiceFixture()
        defer { fixture.remove() }
        let labeler = TestOnlyLabeler(spaceName: "clip-tiny")
        let service = try Self.makeService(fixture, labeler: labeler)
        let path = try Self.copyFixtureImage("scene-320x240.jpg", into: fixture)
        try await withRunningService(service) { service in
            let imageOnly = IngestItem(id: "scene", imagePath: path, captions: [:])
            #expect(try await waitForJob(try service.ingest([imageOnly]).jobID, in: service).inserted == 1)
            let automatic = try service.item(id: "scene")
            #expect(automatic.captionSources == ["en": "auto", "zh": "auto"])
            // Sent again unchanged: nothing is labelled or written again.
            #expect(try await waitForJob(try service.ingest([imageOnly]).jobID, in: service).unchanged == 1)
            #expect(labeler.calls == 1)

            // Given captions replace the automatic ones, and the item is not labelled.
            let captioned = IngestItem(id: "scene", imagePath: path, captions: ["en": "a tram stop", "fr": "un arrêt"])
            #expect(try await waitForJob(try service.ingest([captioned]).jobID, in: service).updated == 1)
            let now = try service.item(id: "scene")
            #expect(now.captions == ["en": "a tram stop", "fr": "un arrêt"])
            #expect(now.captionSources == nil)
            #expect(labeler.calls == 1)
            let oldCaption = try #require(automatic.captions["en"])
            let hits = try await service.search(oldCaption, k: 10, ef: nil).results
            #expect(hits.allSatisfy { $0.captions["en"] != oldCaption }, "the automatic caption is gone")
            #expect(try await service.search("a tram stop", k: 1, ef: nil).results.first?.id == "scene")
        }
    }

    @Test func aReembedWritesTheAutomaticCaptionsAgainAndLeavesGivenOnesAlone() async throws {
        let fixture = try ServiceFixture()
        defer { fixture.remove() }
        let labeler = TestOnlyLabeler(spaceName: "clip-tiny")
        let service = try Self.makeService(fixture, labeler: labeler)
        let scene = try Self.copyFixtureImage("scene-320x240.jpg", into: fixture)
        let portrait = try Self.copyFixtureImage("portrait-180x400.png", into: fixture)
        try await withRunningService(service) { service in
            let items = [
                IngestItem(id: "scene", imagePath: scene, captions: [:]),
                IngestItem(id: "portrait", imagePath: portrait, captions: ["en": "a tall portrait"]),
            ]
            #expect(try await waitForJob(try service.ingest(items).jobID, in: service).inserted == 2)
            let before = try service.item(id: "scene")
            // A "new image model": every picture is labelled differently now.
            labeler.generation = 1
            let job = try await waitForJob(try service.rebuild(RebuildRequest(reembed: true)).jobID, in: service)
            #expect(job.state == .done, "\(job.errors)")
            let after = try service.item(id: "scene")
            #expect(after.captionSources == ["en": "auto", "zh": "auto"])
            let english = try #require(after.captions["en"])
            #expect(english != before.captions["en"], "rewritten from the new labels")
            #expect(after.captions["zh"] == Self.chinese(forEnglish: english))
            #expect(after.vectors == 5, "the old caption vectors are tombstoned, not kept beside the new ones")
            #expect(try service.item(id: "portrait").captions == ["en": "a tall portrait"])
            let results = try await service.search(english, k: 10, ef: nil).results
            #expect(results.first?.captions["en"] == english)
            #expect(results.contains { $0.id == "scene" })
            #expect(
                try await service.search(after.captions["zh"]!, k: 10, ef: nil).results.contains { $0.id == "scene" })
            // A re-embed with the same labels rewrites nothing.
            let calls = labeler.calls
            let again = try await waitForJob(try service.rebuild(RebuildRequest(reembed: true)).jobID, in: service)
            #expect(again.state == .done)
            #expect(labeler.calls == calls + 1)
            #expect(try service.item(id: "scene").captions == after.captions)
        }
    }
}
