import Foundation

/// The shared CLIP fixtures (Tests/Fixtures/CLIP, written by scripts/make-clip-fixtures.py), found from this file's
/// path because they are shared between test targets rather than a SwiftPM resource.
enum CLIPFixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/CLIP")
    static let images = root.appendingPathComponent("images")

    struct Preprocessed: Decodable {
        let decoded_size: [Int]
        let pixels: String
        let shape: [Int]
        let float_checksum: Double
    }

    private struct Reference: Decodable {
        let preprocess: [String: Preprocessed]
    }

    /// reference.json's "preprocess": image file name → what CLIPImageProcessorPil made of it.
    static func preprocessReference() throws -> [String: Preprocessed] {
        try JSONDecoder().decode(Reference.self, from: Data(contentsOf: root.appendingPathComponent("reference.json"))).preprocess
    }

    static func image(_ name: String) throws -> Data {
        try Data(contentsOf: images.appendingPathComponent(name))
    }
}
