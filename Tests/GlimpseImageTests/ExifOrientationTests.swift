import Foundation
import GlimpseTestSupport
import Testing

@testable import GlimpseImage

/// EXIF orientation: all eight values, from JPEG APP1, PNG eXIf and WebP EXIF, and malformed metadata.
struct ExifOrientationTests {
    let decoder = ImageDecoder()

    /// Where the stored image's top-left and top-right pixels appear once upright (EXIF 2.3, tag 0x0112).
    static let corners: [Int: (topLeft: Corner, topRight: Corner)] = [
        1: (.topLeft, .topRight), 2: (.topRight, .topLeft), 3: (.bottomRight, .bottomLeft),
        4: (.bottomLeft, .bottomRight),
        5: (.topLeft, .bottomLeft), 6: (.topRight, .bottomRight), 7: (.bottomRight, .topRight),
        8: (.bottomLeft, .topLeft),
    ]

    enum Corner { case topLeft, topRight, bottomLeft, bottomRight }

    static func pixel(_ image: RGBImage, _ corner: Corner) -> [UInt8] {
        let (x, y) =
            switch corner {
            case .topLeft: (0, 0)
            case .topRight: (image.width - 1, 0)
            case .bottomLeft: (0, image.height - 1)
            case .bottomRight: (image.width - 1, image.height - 1)
            }
        let i = (y * image.width + x) * 3
        return Array(image.pixels[i..<(i + 3)])
    }

    static func check(_ upright: RGBImage, stored: RGBImage, orientation: Int) {
        let swaps = orientation >= 5
        #expect(upright.width == (swaps ? stored.height : stored.width))
        #expect(upright.height == (swaps ? stored.width : stored.height))
        let (topLeft, topRight) = corners[orientation]!
        #expect(pixel(upright, topLeft) == pixel(stored, .topLeft), "orientation \(orientation)")
        #expect(pixel(upright, topRight) == pixel(stored, .topRight), "orientation \(orientation)")
        // Every pixel is moved, none changed.
        #expect(upright.pixels.reduce(0) { $0 + Int($1) } == stored.pixels.reduce(0) { $0 + Int($1) })
        #expect(upright == ExifOrientation(rawValue: orientation)!.apply(to: stored))
    }

    @Test(arguments: 1...8, [false, true])
    func jpegExifOrientationIsApplied(orientation: Int, bigEndian: Bool) throws {
        let plain = try CLIPFixtures.image("scene-320x240.jpg")
        let stored = try decoder.decode(plain)
        let tagged = TestImageBytes.jpeg(
            plain, withExif: TestImageBytes.tiffWithOrientation(orientation, bigEndian: bigEndian))
        Self.check(try decoder.decode(tagged), stored: stored, orientation: orientation)
    }

    @Test(arguments: [2, 6, 8])
    func pngExifChunkOrientationIsApplied(orientation: Int) throws {
        let rows: [[UInt8]] = (0..<3).map { y in (0..<4).flatMap { x -> [UInt8] in [UInt8(x * 60), UInt8(y * 100), 7] }
        }
        let plain = TestImageBytes.png(width: 4, height: 3, bitDepth: 8, colourType: 2, rows: rows)
        let tagged = TestImageBytes.png(
            width: 4, height: 3, bitDepth: 8, colourType: 2, rows: rows,
            extraChunks: [
                TestImageBytes.pngChunk("eXIf", TestImageBytes.tiffWithOrientation(orientation))
            ])
        Self.check(try decoder.decode(tagged), stored: try decoder.decode(plain), orientation: orientation)
    }

    @Test(arguments: [3, 5, 7])
    func webpExifChunkOrientationIsApplied(orientation: Int) throws {
        let plain = try CLIPFixtures.image("lossless-160x120.webp")
        let tagged = TestImageBytes.webp(
            plain, withExif: TestImageBytes.tiffWithOrientation(orientation), width: 160, height: 120)
        Self.check(try decoder.decode(tagged), stored: try decoder.decode(plain), orientation: orientation)
    }

    @Test func malformedOrOutOfRangeExifLeavesTheImageAsStored() throws {
        let plain = try CLIPFixtures.image("scene-320x240.jpg")
        let stored = try decoder.decode(plain)
        var pointsOutside = TestImageBytes.tiffWithOrientation(6)
        pointsOutside[4] = 0xF0  // IFD0 offset far beyond the data
        let damaged: [[UInt8]] = [
            TestImageBytes.tiffWithOrientation(0), TestImageBytes.tiffWithOrientation(9),
            pointsOutside, Array(TestImageBytes.tiffWithOrientation(6).prefix(12)), Array("XX*\0".utf8), [],
        ]
        for tiff in damaged {
            #expect(try decoder.decode(TestImageBytes.jpeg(plain, withExif: tiff)) == stored)
        }
    }

    @Test func xmpOrientationIsUsedWhenThereIsNoExif() throws {
        // PIL falls back to `tiff:Orientation` in the XMP packet.
        let plain = try CLIPFixtures.image("scene-320x240.jpg")
        let payload = Array(
            "http://ns.adobe.com/xap/1.0/\0<x:xmpmeta><rdf:Description tiff:Orientation=\"8\"/></x:xmpmeta>".utf8)
        var bytes = [UInt8](plain)
        bytes.insert(
            contentsOf: [0xFF, 0xE1, UInt8((payload.count + 2) >> 8), UInt8((payload.count + 2) & 0xFF)] + payload,
            at: 2)
        Self.check(try decoder.decode(Data(bytes)), stored: try decoder.decode(plain), orientation: 8)
    }
}
