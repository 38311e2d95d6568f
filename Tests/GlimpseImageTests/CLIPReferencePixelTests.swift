import Foundation
import GlimpseTestSupport
import Testing

@testable import GlimpseImage

/// Decode + preprocess every fixture image and compare with transformers' CLIPImageProcessorPil output.
struct CLIPReferencePixelTests {
    static let names = (try? CLIPFixtures.reference.get().preprocess.keys.sorted()) ?? []

    @Test func everyFixtureImageHasAReference() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: CLIPFixtures.images.path).sorted()
        #expect(files == Self.names)
        #expect(files.count >= 13)
    }

    @Test(arguments: names)
    func preprocessedPixelsMatchTransformers(name: String) throws {
        let reference = try #require(try CLIPFixtures.reference.get().preprocess[name])
        let preprocessor = try CLIPImagePreprocessor(
            configFile: CLIPFixtures.directory.appendingPathComponent("clip-tiny/preprocessor_config.json"))
        let config = preprocessor.config

        // Full-size decoding (no DCT scaling): the reference decodes full size too.
        let image = try ImageDecoder().decode(contentsOf: CLIPFixtures.images.appendingPathComponent(name))
        #expect([image.width, image.height] == reference.decodedSize)

        let expectedU8 = [UInt8](try Data(contentsOf: CLIPFixtures.directory.appendingPathComponent(reference.pixels)))
        #expect(reference.shape == [3, 224, 224] && expectedU8.count == 3 * 224 * 224)
        let crop = preprocessor.resizedAndCropped(image)
        #expect(crop.width == 224 && crop.height == 224)
        let plane = crop.width * crop.height
        var maxU8Difference = 0
        var mismatches = 0
        for c in 0..<3 {
            for p in 0..<plane {
                let difference = abs(Int(crop.pixels[p * 3 + c]) - Int(expectedU8[c * plane + p]))
                maxU8Difference = max(maxU8Difference, difference)
                if difference != 0 { mismatches += 1 }
            }
        }

        // The normalised values: reference float = (u8 / 255 − mean) / std, computed here in Double.
        let values = preprocessor.pixelValues(image)
        #expect(values.count == 3 * plane)
        var maxFloatDifference = 0.0
        var sum = 0.0
        for c in 0..<3 {
            for p in 0..<plane {
                let expected = (Double(expectedU8[c * plane + p]) / 255 - config.imageMean[c]) / config.imageStd[c]
                maxFloatDifference = max(maxFloatDifference, abs(Double(values[c * plane + p]) - expected))
                sum += Double(values[c * plane + p])
            }
        }
        print(
            "\(name): decoded \(image.width)×\(image.height), max |Δu8| \(maxU8Difference) (\(mismatches) of "
                + "\(3 * plane) differ), max |Δ normalised| \(maxFloatDifference), Σ \(sum) vs reference \(reference.floatChecksum)"
        )
        #expect(maxFloatDifference <= 1e-3, "normalised values differ by \(maxFloatDifference)")
        #expect(maxU8Difference == 0, "the 8-bit crop differs by up to \(maxU8Difference) in \(mismatches) values")
        // The processor's own float output summed (float32 rounding only separates the two).
        #expect(abs(sum - reference.floatChecksum) < 0.05)
    }

    @Test func chineseCLIPConfigDecodesToTheSamePipeline() throws {
        let config = try JSONDecoder().decode(
            CLIPPreprocessorConfig.self,
            from: Data(
                contentsOf:
                    CLIPFixtures.directory.appendingPathComponent("chinese-clip-tiny/preprocessor_config.json")))
        #expect(config == CLIPPreprocessorConfig())
    }
}
