import Foundation
import GlimpseTestSupport
import Testing

@testable import GlimpseImage

/// libjpeg DCT scaling for big photos: only used when asked, only while the image stays ≥ 2× the model input, and
/// close to (not identical with) a full decode.
struct ScaledJPEGDecodingTests {
    @Test func scaleIsTheLargestThatKeepsTheMinimumEdge() {
        #expect(ImageDecoder.jpegScaleDenominator(width: 1600, height: 1200, minimumEdge: nil) == 1)
        #expect(ImageDecoder.jpegScaleDenominator(width: 1600, height: 1200, minimumEdge: 448) == 2)  // 800×600
        #expect(ImageDecoder.jpegScaleDenominator(width: 4000, height: 3000, minimumEdge: 448) == 4)  // 1000×750
        #expect(ImageDecoder.jpegScaleDenominator(width: 8000, height: 6000, minimumEdge: 448) == 8)
        #expect(ImageDecoder.jpegScaleDenominator(width: 800, height: 600, minimumEdge: 448) == 1)
        // ceil(897 / 2) = 449
        #expect(ImageDecoder.jpegScaleDenominator(width: 897, height: 5000, minimumEdge: 448) == 2)
        #expect(CLIPImagePreprocessor().reducedDecodingMinimumEdge == 448)
    }

    @Test func aLargeJPEGDecodedAtHalfSizePreprocessesCloseToTheFullDecode() throws {
        let data = try CLIPFixtures.image("large-1600x1200.jpg")
        let preprocessor = CLIPImagePreprocessor()
        let decoder = ImageDecoder()
        let full = try decoder.decode(data)
        let reduced = try decoder.decode(data, reducedDecodingMinimumEdge: preprocessor.reducedDecodingMinimumEdge)
        #expect(full.width == 1600 && full.height == 1200)
        #expect(reduced.width == 800 && reduced.height == 600)

        let a = preprocessor.pixelValues(full)
        let b = preprocessor.pixelValues(reduced)
        let differences = zip(a, b).map { Double(abs($0 - $1)) }
        let maximum = differences.max()!
        let mean = differences.reduce(0, +) / Double(differences.count)
        print("large-1600x1200.jpg decoded at 1/2: max |Δ normalised| \(maximum), mean \(mean)")
        // Not within the 1e-3 reference tolerance (so reference comparisons decode full size), but close:
        // 0.06 is about 4 levels of 255.
        #expect(maximum < 0.15)
        #expect(mean < 0.005)
    }

    @Test func smallImagesAndOtherFormatsIgnoreTheHint() throws {
        // 240 / 2 = 120 < 448: full size.
        let jpeg = try CLIPFixtures.image("scene-320x240.jpg")
        #expect(try ImageDecoder().decode(jpeg, reducedDecodingMinimumEdge: 448) == ImageDecoder().decode(jpeg))
        for name in ["portrait-180x400.png", "lossy-240x320.webp"] {
            let data = try CLIPFixtures.image(name)
            #expect(try ImageDecoder().decode(data, reducedDecodingMinimumEdge: 16) == ImageDecoder().decode(data))
        }
    }
}
