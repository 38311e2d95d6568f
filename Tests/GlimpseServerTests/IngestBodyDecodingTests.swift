import Foundation
import Testing

@testable import GlimpseServer

@Suite struct IngestBodyDecodingTests {
    private func decode(_ json: String) throws -> [String] {
        try IngestBodyDecoding.items(from: Data(json.utf8)).map(\.imagePath)
    }

    private func refusal(_ json: String) -> String? {
        do {
            _ = try decode(json)
            return nil
        } catch let error as APIErrorResponse {
            return "\(error.code.rawValue): \(error.message)"
        } catch {
            return "unexpected \(error)"
        }
    }

    @Test func acceptsOneItemOrABatch() throws {
        #expect(try decode(#"{"image_path": "/a.jpg", "captions": {"zh": "狗"}}"#) == ["/a.jpg"])
        #expect(
            try decode(
                #"{"items": [{"image_path": "/a.jpg", "captions": {"en": "a"}}, {"id": "b", "image_path": "/b.jpg", "captions": {"en": "b"}}]}"#
            ) == ["/a.jpg", "/b.jpg"])
    }

    @Test func refusesUnknownFieldsWrongTypesAndMalformedJSON() {
        #expect(
            refusal(#"{"image_path": "/a.jpg", "captions": {"en": "a"}, "lang": "en"}"#)?.hasPrefix("unknown_field")
                == true)
        #expect(
            refusal(#"{"items": [{"image_path": "/a.jpg", "captions": {"en": "a"}, "x": 1}]}"#)?.contains("items[0]")
                == true)
        #expect(refusal(#"{"items": {"image_path": "/a.jpg"}}"#)?.contains("items must be an array") == true)
        #expect(refusal(#"{"image_path": "/a.jpg", "captions": {"en": 5}}"#)?.hasPrefix("invalid_item") == true)
        #expect(refusal(#"{"image_path": "/a.jpg", "captions": "dog"}"#)?.contains("captions") == true)
        #expect(refusal(#"{"image_path": "/a.jpg""#)?.hasPrefix("invalid_json") == true)
        #expect(refusal("\"just a string\"")?.contains("JSON object") == true)
        #expect(
            refusal(#"{"id": "a", "id": "b", "image_path": "/a.jpg", "captions": {"en": "a"}}"#)?.hasPrefix(
                "invalid_json: malformed JSON: duplicate key \"id\"") == true,
            "a repeated field is refused, not silently resolved")
    }
}
