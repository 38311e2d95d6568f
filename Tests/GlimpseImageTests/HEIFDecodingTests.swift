import Foundation
import GlimpseImage
import GlimpseTestSupport
import Testing

/// HEIC and AVIF copies of shared photos (scripts/make-heif-fixtures.py, libheif's encoder) decode through libheif.
@Suite struct HEIFDecodingTests {
    static let folder = TestFixtures.root.appendingPathComponent("HEIF")

    private func data(_ name: String) throws -> Data { try Data(contentsOf: Self.folder.appendingPathComponent(name)) }

    private func meanAbsoluteDifference(_ a: RGBImage, _ b: RGBImage) -> Double {
        zip(a.pixels, b.pixels).reduce(0.0) { $0 + Double(abs(Int($1.0) - Int($1.1))) } / Double(a.pixels.count)
    }

    @Test(arguments: ["apple", "bee", "astronaut"])
    func heicAndAvifDecodeWithinThreeLevelsOfTheirJPEGSource(photo: String) throws {
        let decoder = ImageDecoder()
        let jpeg = try decoder.decode(data("\(photo).jpg"))
        for (suffix, format) in [("heic", ImageFormat.heif), ("avif", .avif)] {
            let bytes = try data("\(photo).\(suffix)")
            let header = try decoder.header(bytes)
            #expect(header.format == format && header.width == jpeg.width && header.height == jpeg.height)
            let decoded = try decoder.decode(bytes)
            #expect(decoded.width == jpeg.width && decoded.height == jpeg.height)
            let difference = meanAbsoluteDifference(decoded, jpeg)
            #expect(difference <= 3, "\(photo).\(suffix): mean absolute difference \(difference)")
            #expect(difference > 0, "\(photo).\(suffix) is lossy; identical pixels would mean the JPEG was read")
        }
    }

    @Test func theContainersRotationIsAppliedOnce() throws {
        // Stored 72×128 with irot (EXIF orientation 6 at encoding): upright it is the 128×72 bee.
        let decoder = ImageDecoder()
        let upright = try decoder.decode(data("bee.jpg"))
        let rotated = try decoder.decode(data("bee-rotated.heic"))
        #expect(rotated.width == 128 && rotated.height == 72)
        #expect(meanAbsoluteDifference(rotated, upright) <= 3)
    }

    @Test(arguments: ["apple.heic", "bee.avif"])
    func truncatedFilesAreErrorsNamingTheFormat(name: String) throws {
        let whole = try data(name)
        let format: ImageFormat = name.hasSuffix("avif") ? .avif : .heif
        for length in [12, 40, whole.count / 4, whole.count / 2, whole.count - 10] {
            do {
                _ = try ImageDecoder().decode(whole.prefix(length))
                Issue.record("\(name) cut to \(length) bytes decoded")
            } catch {
                switch error {
                case .truncated(let found, _), .corrupt(let found, _): #expect(found == format)
                default: Issue.record("\(name) cut to \(length): unexpected \(error)")
                }
            }
        }
    }

    @Test func aHeaderOverTheMegapixelLimitIsRefusedBeforeDecoding() throws {
        let decoder = ImageDecoder(limits: ImageDecodingLimits(maxMegapixels: 0.005))
        for name in ["apple.heic", "astronaut.avif"] {
            #expect(throws: ImageDecodingError.tooLarge(width: 128, height: 128, maxMegapixels: 0.005)) {
                try decoder.decode(data(name))
            }
        }
    }
}
