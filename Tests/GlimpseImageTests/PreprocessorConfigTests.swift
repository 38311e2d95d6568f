import Foundation
import GlimpseTestSupport
import Testing

@testable import GlimpseImage

/// preprocessor_config.json decoding and the size arithmetic transformers uses.
struct PreprocessorConfigTests {
    private func config(_ json: String) throws -> CLIPPreprocessorConfig {
        try JSONDecoder().decode(CLIPPreprocessorConfig.self, from: Data(json.utf8))
    }

    @Test func missingKeysTakeCLIPImageProcessorDefaults() throws {
        let defaults = try config("{}")
        #expect(defaults.size == .shortestEdge(224) && defaults.cropHeight == 224 && defaults.cropWidth == 224)
        #expect(defaults.resample == .bicubic && defaults.doResize && defaults.doCenterCrop && defaults.doNormalize)
        #expect(defaults.imageMean == [0.48145466, 0.4578275, 0.40821073])
    }

    @Test func sizesMayBeNumbersOrObjects() throws {
        let old = try config(#"{"size": 336, "crop_size": 336}"#)
        #expect(old.size == .shortestEdge(336) && old.cropHeight == 336 && old.cropWidth == 336)
        let square = try config(#"{"size": {"height": 224, "width": 256}, "crop_size": {"height": 200, "width": 210}}"#)
        #expect(square.size == .exact(height: 224, width: 256) && square.cropHeight == 200 && square.cropWidth == 210)
        #expect(try config(#"{"image_mean": 0.5, "image_std": 0.5}"#).imageStd == [0.5, 0.5, 0.5])
    }

    @Test func unsupportedOrInvalidSettingsAreRefused() {
        #expect(throws: DecodingError.self) { try config(#"{"resample": 1}"#) }  // LANCZOS
        #expect(throws: DecodingError.self) { try config(#"{"size": {"shortest_edge": 224, "longest_edge": 300}}"#) }
        #expect(throws: DecodingError.self) { try config(#"{"size": {"width": 224}}"#) }
        #expect(throws: DecodingError.self) { try config(#"{"image_mean": [0.5, 0.5]}"#) }
        #expect(throws: DecodingError.self) { try config(#"{"image_std": [0.5, 0, 0.5]}"#) }
        #expect(throws: DecodingError.self) { try config(#"{"crop_size": 0}"#) }
    }

    @Test func theLongerEdgeIsTruncatedAsTransformersDoes() {
        let preprocessor = CLIPImagePreprocessor()
        #expect(preprocessor.resizeTarget(height: 240, width: 320) == (224, 298))  // 298.67
        #expect(preprocessor.resizeTarget(height: 300, width: 200) == (336, 224))
        #expect(preprocessor.resizeTarget(height: 400, width: 180) == (497, 224))  // 497.78
        #expect(preprocessor.resizeTarget(height: 224, width: 224) == (224, 224))
        #expect(preprocessor.resizeTarget(height: 1, width: 1000) == (224, 224_000))
    }

    @Test func centreCropOffsetsRoundDownAndSmallImagesArePaddedWithZeros() {
        let preprocessor = CLIPImagePreprocessor()
        // 5×1 image with pixel values 1…5: a 2-wide crop starts at (5 − 2) // 2 = 1.
        let row = RGBImage(width: 5, height: 1, pixels: (1...5).flatMap { [UInt8($0), 0, 0] })
        #expect(preprocessor.centreCrop(row, height: 1, width: 2).pixels == [2, 0, 0, 3, 0, 0])
        // 2×1 into 5 wide: ceil(3 / 2) = 2 zeros before it, 1 after.
        let small = RGBImage(width: 2, height: 1, pixels: [9, 9, 9, 8, 8, 8])
        #expect(
            preprocessor.centreCrop(small, height: 1, width: 5).pixels == [0, 0, 0, 0, 0, 0, 9, 9, 9, 8, 8, 8, 0, 0, 0])
    }

    @Test func exactSizeConfigsSquashWithoutKeepingTheAspectRatio() throws {
        let preprocessor = CLIPImagePreprocessor(
            config: try config(#"{"size": {"height": 32, "width": 48}, "do_center_crop": false}"#))
        let image = try ImageDecoder().decode(CLIPFixtures.image("scene-320x240.jpg"))
        let resized = preprocessor.resizedAndCropped(image)
        #expect(resized.width == 48 && resized.height == 32)
        #expect(preprocessor.pixelValues(image).count == 3 * 32 * 48)
    }

    @Test func normalisationFollowsRescaleThenMeanAndStd() throws {
        let preprocessor = CLIPImagePreprocessor(config: try config(#"{"do_resize": false, "do_center_crop": false}"#))
        let image = RGBImage(width: 1, height: 1, pixels: [0, 128, 255])
        let values = preprocessor.pixelValues(image)
        #expect(abs(values[0] - Float((0 - 0.48145466) / 0.26862954)) < 1e-6)
        #expect(abs(values[1] - Float((128.0 / 255 - 0.4578275) / 0.26130258)) < 1e-6)
        #expect(abs(values[2] - Float((1 - 0.40821073) / 0.27577711)) < 1e-6)
    }
}
