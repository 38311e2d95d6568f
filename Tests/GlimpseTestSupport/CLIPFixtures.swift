import Foundation

/// Tests/Fixtures/CLIP, written by scripts/make-clip-fixtures.py: tiny random CLIP and Chinese-CLIP checkpoints, the
/// fixture images, and what `transformers` made of them (reference.json). One reader for every test target.
public enum CLIPFixtures {
    public static let directory = TestFixtures.clip
    public static let clipFolder = directory.appendingPathComponent("clip-tiny")
    public static let chineseCLIPFolder = directory.appendingPathComponent("chinese-clip-tiny")
    public static let images = directory.appendingPathComponent("images")

    /// One model family's reference outputs for the fixture texts and images.
    public struct Family: Decodable, Sendable {
        public let texts: [String]
        public let tokenIDs: [[Int]]
        public let textFeatures: [[Float]]
        public let imageFeatures: [String: [Float]]

        enum CodingKeys: String, CodingKey {
            case texts
            case tokenIDs = "token_ids"
            case textFeatures = "text_features"
            case imageFeatures = "image_features"
        }
    }

    /// What CLIPImageProcessorPil made of one fixture image: its decoded size, the uint8 crop's file, its CHW shape
    /// and the checksum of the normalised floats.
    public struct Preprocessed: Decodable, Sendable {
        public let decodedSize: [Int]
        public let pixels: String
        public let shape: [Int]
        public let floatChecksum: Double

        enum CodingKeys: String, CodingKey {
            case pixels, shape
            case decodedSize = "decoded_size"
            case floatChecksum = "float_checksum"
        }
    }

    public struct Reference: Decodable, Sendable {
        public let clip: Family
        public let chineseCLIP: Family
        /// Image file name → its preprocessed crop.
        public let preprocess: [String: Preprocessed]
        public let dtypes: [String: [Float]]

        enum CodingKeys: String, CodingKey {
            case clip, preprocess, dtypes
            case chineseCLIP = "chinese_clip"
        }
    }

    /// reference.json, read once.
    public static let reference: Result<Reference, any Error> = Result {
        try JSONDecoder().decode(
            Reference.self, from: Data(contentsOf: directory.appendingPathComponent("reference.json")))
    }

    /// A fixture image's bytes.
    public static func image(_ name: String) throws -> Data {
        try Data(contentsOf: images.appendingPathComponent(name))
    }

    public struct MissingFixture: Error, CustomStringConvertible {
        public let description: String
    }

    /// The processor's uint8 crop (CHW) of a fixture image.
    public static func pixelBytes(_ image: String) throws -> [UInt8] {
        guard let entry = try reference.get().preprocess[image] else {
            throw MissingFixture(description: "no preprocessed pixels for \(image) in reference.json")
        }
        return [UInt8](try Data(contentsOf: directory.appendingPathComponent(entry.pixels)))
    }

    /// CLIPImageProcessor's final step on the uint8 crop: (u8 / 255 − mean) / std per channel, CHW.
    public static func modelInput(_ bytes: [UInt8], mean: [Float], std: [Float]) -> [Float] {
        let plane = bytes.count / 3
        return bytes.enumerated().map { index, byte in
            let c = index / plane
            return (Float(byte) * Float(1.0 / 255.0) - mean[c]) / std[c]
        }
    }

    /// image_mean and image_std of a checkpoint folder's preprocessor_config.json.
    public static func normalisation(_ folder: URL) throws -> (mean: [Float], std: [Float]) {
        struct Config: Decodable {
            let image_mean: [Float]
            let image_std: [Float]
        }
        let config = try JSONDecoder().decode(
            Config.self, from: Data(contentsOf: folder.appendingPathComponent("preprocessor_config.json")))
        return (config.image_mean, config.image_std)
    }
}
