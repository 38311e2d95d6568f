import Foundation
import GlimpseAPI
import Testing

@testable import GlimpseService

@Suite struct IngestValidationTests {
    let validator = IngestValidator(limits: RequestLimits(), imageRoots: .anywhere)

    private func message(_ items: [IngestItem]) -> String? {
        do {
            try validator.validate(items)
            return nil
        } catch {
            return error.message
        }
    }

    @Test func acceptsAWellFormedItem() {
        #expect(message([IngestItem(imagePath: "/a.jpg", captions: ["zh": "狗", "en": "dog", "zh-Hant": "狗"])]) == nil)
    }

    @Test func refusesRelativePathsEmptyCaptionsAndBadLanguages() {
        #expect(message([IngestItem(imagePath: "a.jpg", captions: ["en": "x"])])?.contains("absolute") == true)
        #expect(
            message([IngestItem(imagePath: "/a.jpg", captions: ["en": "  "])])?.contains("captions.en is empty") == true
        )
        #expect(
            message([IngestItem(imagePath: "/a.jpg", captions: ["English": "x"])])?.contains("language code") == true)
        #expect(
            message([IngestItem(id: "", imagePath: "/a.jpg", captions: ["en": "x"])])?.contains("id is empty") == true)
        #expect(message([])?.contains("no items") == true)
    }

    @Test func anImageOnlyItemNeedsAnImageSpace() throws {
        let imageOnly = [
            IngestItem(imagePath: "/a.jpg", captions: ["en": "x"]), IngestItem(imagePath: "/b.jpg", captions: [:]),
        ]
        do {
            try validator.validate(imageOnly)
            Issue.record("an image-only item was accepted by a daemon without an image space")
        } catch {
            #expect(error.code == "no_image_space")
            #expect(error.message.contains("items[1]"), "\(error.message)")
            #expect(error.message.contains("`spaces`"), "\(error.message)")
        }
        let withImageSpace = IngestValidator(limits: RequestLimits(), imageRoots: .anywhere, hasImageSpace: true)
        try withImageSpace.validate(imageOnly)
    }

    @Test func anImageOnlyItemDecodesWithCaptionsAbsentNullOrEmpty() throws {
        for body in [
            #"{"image_path": "/a.jpg"}"#, #"{"image_path": "/a.jpg", "captions": null}"#,
            #"{"image_path": "/a.jpg", "captions": {}}"#,
        ] {
            let item = try JSONDecoder().decode(IngestItem.self, from: Data(body.utf8))
            #expect(item.captions.isEmpty)
            #expect(item.imagePath == "/a.jpg")
        }
    }

    @Test func namesTheOffendingItem() {
        let items = [
            IngestItem(imagePath: "/a.jpg", captions: ["en": "x"]),
            IngestItem(imagePath: "/b.jpg", captions: ["en": String(repeating: "x", count: 2_001)]),
        ]
        #expect(message(items)?.contains("items[1].captions.en") == true)
    }

    @Test func refusesDuplicateIdsInOneRequest() {
        let items = [
            IngestItem(imagePath: "/a.jpg", captions: ["en": "x"]),
            IngestItem(imagePath: "/a.jpg", captions: ["en": "y"]),
        ]
        #expect(message(items)?.contains("items[1] has the same id as items[0]") == true)
    }

    @Test func refusesTooManyItems() {
        let items = (0...1_000).map { IngestItem(imagePath: "/\($0).jpg", captions: ["en": "x"]) }
        #expect(message(items)?.contains("limit is 1000") == true)
    }
}
