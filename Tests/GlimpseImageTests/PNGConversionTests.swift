import Foundation
import GlimpseImage
import Testing

/// PNG layouts → RGB8 as PIL's `convert("RGB")` (expected values were produced with Pillow 13 on the same bytes):
/// alpha and tRNS dropped, never composited; 16-bit samples reduced to their high byte; low bit depths scaled.
struct PNGConversionTests {
    let decoder = ImageDecoder()

    private func decode(width: Int, bitDepth: UInt8, colourType: UInt8, row: [UInt8], extra: [[UInt8]] = []) throws
        -> [[UInt8]]
    {
        let image = try decoder.decode(
            TestImageBytes.png(
                width: width, height: 1, bitDepth: bitDepth, colourType: colourType,
                rows: [row], extraChunks: extra))
        #expect(image.width == width && image.height == 1)
        return stride(from: 0, to: image.pixels.count, by: 3).map { Array(image.pixels[$0..<($0 + 3)]) }
    }

    @Test func sixteenBitColourKeepsTheHighByte() throws {
        #expect(
            try decode(
                width: 2, bitDepth: 16, colourType: 2,
                row: [0x12, 0x34, 0xAB, 0xFF, 0x00, 0x80, 0xFF, 0xFF, 0x00, 0x7F, 0x80, 0x00])
                == [[18, 171, 0], [255, 0, 128]])
        #expect(try decode(width: 1, bitDepth: 16, colourType: 4, row: [0xAB, 0xCD, 0x00, 0x00]) == [[171, 171, 171]])
    }

    @Test func alphaIsDroppedNotComposited() throws {
        #expect(
            try decode(width: 2, bitDepth: 8, colourType: 6, row: [1, 2, 3, 0, 4, 5, 6, 128]) == [
                [1, 2, 3], [4, 5, 6],
            ])
        #expect(
            try decode(width: 2, bitDepth: 8, colourType: 4, row: [10, 0, 200, 255]) == [
                [10, 10, 10], [200, 200, 200],
            ])
    }

    @Test func paletteAndGreyTransparencyAreIgnored() throws {
        let palette = TestImageBytes.pngChunk("PLTE", [255, 0, 0, 0, 255, 0, 0, 0, 255])
        let transparency = TestImageBytes.pngChunk("tRNS", [0, 128])
        #expect(
            try decode(width: 3, bitDepth: 8, colourType: 3, row: [0, 1, 2], extra: [palette, transparency])
                == [[255, 0, 0], [0, 255, 0], [0, 0, 255]])
        #expect(
            try decode(
                width: 2, bitDepth: 8, colourType: 0, row: [5, 250], extra: [TestImageBytes.pngChunk("tRNS", [0, 5])])
                == [[5, 5, 5], [250, 250, 250]])
    }

    @Test func lowBitDepthGreyIsScaledToEightBits() throws {
        #expect(
            try decode(width: 8, bitDepth: 1, colourType: 0, row: [0b1011_0000]).map { $0[0] } == [
                255, 0, 255, 255, 0, 0, 0, 0,
            ])
        #expect(
            try decode(width: 4, bitDepth: 2, colourType: 0, row: [0b0001_1011]) == [
                [0, 0, 0], [85, 85, 85], [170, 170, 170], [255, 255, 255],
            ])
    }

    /// Deliberately not PIL: Pillow opens 16-bit grey as mode "I;16" and its RGB conversion clamps every value
    /// above 255 to white (0x0010 → 16, 0x00FF → 255, 0x1234 → 255), which destroys the picture. We keep the high
    /// byte, as PIL itself does for 16-bit colour and grey+alpha.
    @Test func sixteenBitGreyKeepsTheHighByteUnlikePIL() throws {
        #expect(
            try decode(width: 3, bitDepth: 16, colourType: 0, row: [0x00, 0x10, 0x00, 0xFF, 0x12, 0x34]) == [
                [0, 0, 0], [0, 0, 0], [18, 18, 18],
            ])
    }

    @Test func aPaletteIndexOutsideThePaletteIsNotACrash() throws {
        let palette = TestImageBytes.pngChunk("PLTE", [255, 0, 0])
        let data = TestImageBytes.png(
            width: 2, height: 1, bitDepth: 8, colourType: 3, rows: [[0, 200]], extraChunks: [palette])
        do {
            let image = try decoder.decode(data)
            #expect(image.width == 2)
        } catch {
            #expect(error.code == "image_corrupt")
        }
    }
}
