import Foundation
import GlimpseAPI
import GlimpseClient
import GlimpseTestSupport
import Testing

/// Automatic captions through the real daemon (E5 + the tiny Chinese-CLIP fixture): shared photos ingested without
/// captions get their top zero-shot labels as captions in both languages, marked `auto`, naming what
/// `/v1/recognize` names for the same photo, and a text search with either caption finds the photo; a photo sent
/// with a caption keeps it.
@Suite(.serialized) struct AutomaticCaptionsEndToEndTests {
    /// The first JPEG of each of the first `count` label folders of the shared photos, so the photos differ.
    static func photosOfDistinctLabels(_ count: Int) throws -> [URL] {
        let manager = FileManager.default
        let labels = try manager.contentsOfDirectory(atPath: TestEnvironment.sharedPhotos.path).sorted()
        var photos: [URL] = []
        for label in labels where photos.count < count {
            let folder = TestEnvironment.sharedPhotos.appendingPathComponent(label)
            guard let names = try? manager.contentsOfDirectory(atPath: folder.path),
                let first = names.filter({ $0.lowercased().hasSuffix(".jpg") }).sorted().first
            else { continue }
            photos.append(folder.appendingPathComponent(first))
        }
        return photos
    }

    @Test func imageOnlyItemsGetBilingualAutoCaptionsFromTheirLabelsAndAreFoundByThem() async throws {
        try TestEnvironment.requirePrerequisites()
        try await withScratchDirectory("e2e-auto-captions") { directory in
            let photos = try Self.photosOfDistinctLabels(4)
            try #require(photos.count == 4, "the shared photos")
            let config = directory.appendingPathComponent("glimpsed.json")
            try Data(
                #"""
                {"spaces": [{"kind": "e5"}, {"kind": "clip", "folder": "\#(CLIPFixtures.chineseCLIPFolder.path)"}],
                 "auto_caption_labels": 3, "auto_caption_min_probability": 0}
                """#.utf8
            ).write(to: config)
            let given = ["en": "a hand-written caption", "zh": "手写的说明"]
            let items =
                photos.enumerated().map {
                    IngestItem(id: "auto-\($0.offset)", imagePath: $0.element.path, captions: [:])
                }
                + [IngestItem(id: "given", imagePath: photos[0].path, captions: given)]
            try await withDaemon(in: directory, extraArguments: ["--config", config.path]) { daemon in
                let accepted = try await daemon.adminClient.ingest(items)
                let job = try await SharedPhotoManifest.waitForJob(accepted.jobID, daemon: daemon)
                #expect(job.state == .done)
                #expect(job.inserted == items.count, "\(job.errors)\n\(daemon.log)")

                for (index, photo) in photos.enumerated() {
                    let item = try await daemon.client.item(id: "auto-\(index)")
                    #expect(item.captionSources == ["en": "auto", "zh": "auto"], "\(item)")
                    let english = try #require(item.captions["en"], "\(item)")
                    let chinese = try #require(item.captions["zh"], "\(item)")

                    // The captions name the labels recognition gives for the same picture: its top three, as the
                    // config asks (3 labels, no probability floor: the random tiny model's are all near 1/1147).
                    let recognized = try await daemon.client.recognize(
                        try Data(contentsOf: photo), language: .both, k: 3)
                    #expect(recognized.labels.count == 3)
                    for label in recognized.labels {
                        #expect(english.contains(try #require(label.labelEnglish)), "\(english) vs \(recognized)")
                        #expect(chinese.contains(try #require(label.labelChinese)), "\(chinese) vs \(recognized)")
                    }
                    let first = try #require(recognized.labels.first)
                    #expect(english.hasPrefix(first.labelEnglish!) && chinese.hasPrefix(first.labelChinese!))

                    // Each caption is embedded by the text spaces like a given one: searching its exact text in
                    // either language finds the item (the random tiny model may tie it with others, hence k).
                    for text in [chinese, english] {
                        let found = try await daemon.client.search(text, k: items.count + 5)
                        let result = try #require(
                            found.results.first { $0.id == "auto-\(index)" }, "\(text): \(found.results.map(\.id))")
                        #expect(result.captionSources == ["en": "auto", "zh": "auto"])
                        #expect(result.captions == item.captions)
                    }
                }

                // A caption sent with the item is kept as it is; no automatic caption is added beside it.
                let captioned = try await daemon.client.item(id: "given")
                #expect(captioned.captions == given)
                #expect(captioned.captionSources == nil, "\(captioned)")
                let found = try await daemon.client.search(given["zh"]!, k: items.count + 5)
                let result = try #require(found.results.first { $0.id == "given" }, "\(found.results.map(\.id))")
                #expect(result.captions == given && result.captionSources == nil)
            }
        }
    }
}
