import GlimpseEvaluation
import Testing

@testable import GlimpseImage

/// Properties of the Pillow resampler port beyond the fixture comparison (which proves bit-exactness with PIL).
struct PillowResamplerTests {
    static func noise(width: Int, height: Int, seed: UInt64) -> RGBImage {
        var generator = SplitMix64(seed: seed)
        return RGBImage(
            width: width, height: height,
            pixels: (0..<(width * height * 3)).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }

    static func crop(_ image: RGBImage, columns: Range<Int>, rows: Range<Int>) -> RGBImage {
        var pixels: [UInt8] = []
        for y in rows {
            pixels +=
                image.pixels[
                    ((y * image.width + columns.lowerBound) * 3)..<((y * image.width + columns.upperBound) * 3)]
        }
        return RGBImage(width: columns.count, height: rows.count, pixels: pixels)
    }

    @Test(arguments: [(57, 41, 30, 20), (57, 41, 120, 90), (57, 41, 57, 90), (57, 41, 30, 41), (10, 300, 224, 6720)])
    func aWindowIsExactlyThatPartOfTheFullResize(width: Int, height: Int, outWidth: Int, outHeight: Int) {
        let image = Self.noise(width: width, height: height, seed: UInt64(width * outHeight))
        let full = PillowResampler.resize(image, width: outWidth, height: outHeight, filter: .bicubic)
        #expect(full.width == outWidth && full.height == outHeight)
        for (columns, rows) in [
            (0..<outWidth, 0..<outHeight), (3..<(outWidth - 2), 1..<(outHeight / 2)),
            ((outWidth - 1)..<outWidth, (outHeight / 3)..<(outHeight / 3 + 1)),
        ] {
            let window = PillowResampler.resize(
                image, width: outWidth, height: outHeight, filter: .bicubic, columns: columns, rows: rows)
            #expect(window == Self.crop(full, columns: columns, rows: rows))
        }
    }

    @Test func resizingToTheSameSizeChangesNothing() {
        let image = Self.noise(width: 31, height: 17, seed: 5)
        #expect(PillowResampler.resize(image, width: 31, height: 17, filter: .bicubic) == image)
    }

    @Test func aConstantImageStaysConstantAtAnyScale() {
        // The coefficients are normalised to sum 1, so flat areas keep their value (no ringing, no drift).
        let image = RGBImage(width: 37, height: 23, pixels: [UInt8](repeating: 200, count: 37 * 23 * 3))
        for (w, h) in [(224, 224), (5, 3), (100, 7)] {
            #expect(
                PillowResampler.resize(image, width: w, height: h, filter: .bicubic).pixels.allSatisfy { $0 == 200 })
        }
    }

    @Test func anExtremeAspectRatioOnlyComputesTheCrop() {
        // 1×60000 → shorter edge 224 makes 224×13,440,000 (9 GB of RGB); only the 224×224 crop is computed.
        let image = Self.noise(width: 1, height: 60_000, seed: 9)
        let preprocessor = CLIPImagePreprocessor()
        #expect(preprocessor.resizeTarget(height: 60_000, width: 1) == (13_440_000, 224))
        let crop = preprocessor.resizedAndCropped(image)
        #expect(crop.width == 224 && crop.height == 224)
        // Upscaling one column: every row of the crop is uniform.
        var uniformRows = 0
        for y in 0..<224 {
            let row = Array(crop.pixels[(y * 224 * 3)..<((y + 1) * 224 * 3)])
            let uniform = (0..<224).allSatisfy { x in
                row[x * 3] == row[0] && row[x * 3 + 1] == row[1] && row[x * 3 + 2] == row[2]
            }
            if uniform { uniformRows += 1 }
        }
        #expect(uniformRows == 224)
    }
}
