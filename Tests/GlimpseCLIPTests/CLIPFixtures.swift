import Foundation
import GlimpseTestSupport
import Testing

/// Tests/Fixtures/CLIP, written by scripts/make-clip-fixtures.py (transformers' outputs on tiny random checkpoints).
enum CLIPFixtures {
    static let directory = TestFixtures.clip
    static let clipFolder = directory.appendingPathComponent("clip-tiny")
    static let chineseCLIPFolder = directory.appendingPathComponent("chinese-clip-tiny")

    struct Family: Decodable {
        let texts: [String]
        let tokenIDs: [[Int]]
        let textFeatures: [[Float]]
        let imageFeatures: [String: [Float]]

        enum CodingKeys: String, CodingKey {
            case texts
            case tokenIDs = "token_ids"
            case textFeatures = "text_features"
            case imageFeatures = "image_features"
        }
    }

    struct Preprocessed: Decodable {
        let pixels: String
        let shape: [Int]
    }

    struct Reference: Decodable {
        let clip: Family
        let chineseCLIP: Family
        let preprocess: [String: Preprocessed]
        let dtypes: [String: [Float]]

        enum CodingKeys: String, CodingKey {
            case clip, preprocess, dtypes
            case chineseCLIP = "chinese_clip"
        }
    }

    static let reference: Result<Reference, any Error> = Result {
        try JSONDecoder().decode(Reference.self, from: Data(contentsOf: directory.appendingPathComponent("reference.json")))
    }

    /// The processor's uint8 crop (CHW) of a fixture image.
    static func pixelBytes(_ image: String) throws -> [UInt8] {
        let entry = try #require(try reference.get().preprocess[image], "no preprocessed pixels for \(image)")
        return [UInt8](try Data(contentsOf: directory.appendingPathComponent(entry.pixels)))
    }

    /// CLIPImageProcessor's final step on the uint8 crop: (u8 / 255 − mean) / std per channel, CHW.
    static func modelInput(_ bytes: [UInt8], mean: [Float], std: [Float]) -> [Float] {
        let plane = bytes.count / 3
        return bytes.enumerated().map { index, byte in
            let c = index / plane
            return (Float(byte) * Float(1.0 / 255.0) - mean[c]) / std[c]
        }
    }

    /// image_mean and image_std of a checkpoint folder's preprocessor_config.json.
    static func normalisation(_ folder: URL) throws -> (mean: [Float], std: [Float]) {
        struct Config: Decodable {
            let image_mean: [Float]
            let image_std: [Float]
        }
        let config = try JSONDecoder().decode(
            Config.self, from: Data(contentsOf: folder.appendingPathComponent("preprocessor_config.json")))
        return (config.image_mean, config.image_std)
    }
}

func cosine(_ a: [Float], _ b: [Float]) -> Float { Float(preciseCosine(a, b)) }

/// In Double, so reports can show how far below 1 the agreement is.
func preciseCosine(_ a: [Float], _ b: [Float]) -> Double {
    var dot: Double = 0, na: Double = 0, nb: Double = 0
    for i in a.indices {
        dot += Double(a[i]) * Double(b[i])
        na += Double(a[i]) * Double(a[i])
        nb += Double(b[i]) * Double(b[i])
    }
    return dot / (na.squareRoot() * nb.squareRoot())
}

func maxAbsDifference(_ a: [Float], _ b: [Float]) -> Float {
    zip(a, b).map { abs($0 - $1) }.max() ?? 0
}
