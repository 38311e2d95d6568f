import Foundation
import GlimpseEvaluation
import GlimpseTestSupport
import Testing

@testable import GlimpseImage

/// Damaged, hostile and wrong files: each gets a typed error with a usable message, and nothing crashes. The bad
/// bytes are made here from the fixture images (cut, overwritten, bit-flipped), so nothing large is committed.
struct HostileImageTests {
    let decoder = ImageDecoder()

    private func error(decoding data: Data) -> ImageDecodingError? {
        do {
            _ = try decoder.decode(data)
            return nil
        } catch {
            return error
        }
    }

    @Test func zeroBytesAreEmpty() throws {
        #expect(error(decoding: Data()) == .empty)
        let file = try temporaryFile("empty.jpg", Data())
        #expect(throws: ImageDecodingError.empty) { try decoder.decode(contentsOf: file) }
        #expect(ImageDecodingError.empty.message.contains("empty"))
    }

    @Test func textNamedJpgIsAnUnsupportedFormat() throws {
        let file = try temporaryFile("notes.jpg", Data("this is not a picture, only text\n".utf8))
        #expect(throws: ImageDecodingError.unsupportedFormat(found: "unrecognised data")) {
            try decoder.decode(contentsOf: file)
        }
    }

    @Test func gifIsNamedAsUnsupported() {
        // A complete 1×1 GIF89a.
        let gif: [UInt8] =
            Array("GIF89a".utf8) + [
                1, 0, 1, 0, 0x80, 0, 0, 0, 0, 0, 255, 255, 255, 0x2C, 0, 0, 0, 0,
                1, 0, 1, 0, 0, 2, 2, 0x44, 0x01, 0, 0x3B,
            ]
        let failure = error(decoding: Data(gif))
        #expect(failure == .unsupportedFormat(found: "GIF"))
        #expect(failure?.message == "unsupported image format (GIF); expected JPEG, PNG or WebP")
        #expect(failure?.code == "image_unsupported_format")
    }

    @Test func missingAndUnreadableFilesAreUnreadable() throws {
        let missing = URL(fileURLWithPath: "/nonexistent/glimpse/photo.jpg")
        #expect(throws: ImageDecodingError.unreadable(path: missing.path, reason: "No such file or directory")) {
            try decoder.decode(contentsOf: missing)
        }
        let directory = FileManager.default.temporaryDirectory
        #expect(throws: ImageDecodingError.unreadable(path: directory.path, reason: "not a regular file")) {
            try decoder.decode(contentsOf: directory)
        }
    }

    @Test(arguments: [
        "scene-320x240.jpg", "grey-256.jpg", "cmyk-200x160.jpg", "portrait-180x400.png",
        "palette-200x150.png", "lossy-240x320.webp", "lossless-160x120.webp",
    ])
    func cutFilesAreTruncated(name: String) throws {
        let data = try CLIPFixtures.image(name)
        let n = data.count
        // WebP's signature is "RIFF" + size + "WEBP": a 1–3 byte cut is not recognisable as WebP.
        var cuts = name.hasSuffix(".webp") ? [5, 12, 30, 100] : [1, 2, 5, 12, 30, 100]
        // The last cut drops the final byte of the image data: EOI (JPEG), the IDAT checksum (PNG), the bitstream.
        cuts += [n / 4, n / 2, 3 * n / 4, name.hasSuffix(".png") ? n - 13 : n - 1]
        for cut in cuts {
            let failure = error(decoding: data.prefix(cut))
            guard case .truncated(let format, let detail) = failure else {
                Issue.record(
                    "\(name) cut to \(cut) of \(n) bytes: expected truncated, got \(String(describing: failure))")
                continue
            }
            #expect(
                format.rawValue
                    == ["jpg": "JPEG", "png": "PNG", "webp": "WebP"][String(name.split(separator: ".").last!)])
            #expect(!detail.isEmpty)
        }
    }

    @Test func randomBytesAfterAValidHeaderAreCorrupt() throws {
        // Formats whose data is checked: PNG (zlib, CRC), JPEG (entropy-coded data hits markers), lossless WebP.
        for name in [
            "scene-320x240.jpg", "grey-256.jpg", "portrait-180x400.png", "palette-200x150.png",
            "lossless-160x120.webp",
        ] {
            let data = try CLIPFixtures.image(name)
            for keepFraction in [10, 4] {
                var generator = SplitMix64(seed: UInt64(keepFraction))
                var bytes = [UInt8](data)
                for i in (bytes.count / keepFraction)..<bytes.count {
                    bytes[i] = UInt8.random(in: 0...255, using: &generator)
                }
                let failure = error(decoding: Data(bytes))
                guard case .corrupt(_, let detail) = failure else {
                    Issue.record(
                        "\(name) with random bytes after 1/\(keepFraction): expected corrupt, got \(String(describing: failure))"
                    )
                    continue
                }
                #expect(!detail.isEmpty)
            }
        }
    }

    @Test func bitFlipsInTheMiddleAreCorruptWhereTheFormatCanTell() throws {
        for name in ["portrait-180x400.png", "grey-256.jpg"] {
            var bytes = [UInt8](try CLIPFixtures.image(name))
            for i in (bytes.count / 2)..<(bytes.count / 2 + 16) { bytes[i] ^= 0xFF }
            let failure = error(decoding: Data(bytes))
            guard case .corrupt = failure else {
                Issue.record("\(name) with 16 flipped bytes: expected corrupt, got \(String(describing: failure))")
                continue
            }
        }
        var png = [UInt8](try CLIPFixtures.image("portrait-180x400.png"))
        png[png.count / 2] ^= 0x10
        #expect(error(decoding: Data(png)) == .corrupt(format: .png, detail: "IDAT: CRC error"))
    }

    /// Lossy JPEG/WebP data has no checksum, so some damage decodes to wrong pixels; what matters is that every
    /// damaged file ends as an image of the declared size or a typed error, never a crash or a hang.
    @Test func seededRandomDamageNeverCrashes() throws {
        var generator = SplitMix64(seed: 2026)
        var outcomes: [String: Int] = [:]
        for name in [
            "scene-320x240.jpg", "cmyk-200x160.jpg", "exif-rotate-90.jpg", "palette-200x150.png",
            "rgba-240.png", "lossy-240x320.webp", "lossless-160x120.webp",
        ] {
            let original = try CLIPFixtures.image(name)
            let header = try decoder.header(original)
            for _ in 0..<60 {
                var bytes = [UInt8](original)
                switch Int.random(in: 0..<3, using: &generator) {
                case 0:  // flip a few random bits anywhere
                    for _ in 0..<Int.random(in: 1...8, using: &generator) {
                        bytes[Int.random(in: 0..<bytes.count, using: &generator)] ^=
                            1 << UInt8.random(in: 0...7, using: &generator)
                    }
                case 1:  // overwrite a run with random bytes
                    let start = Int.random(in: 0..<bytes.count, using: &generator)
                    for i in start..<min(bytes.count, start + Int.random(in: 1...64, using: &generator)) {
                        bytes[i] = UInt8.random(in: 0...255, using: &generator)
                    }
                default:  // cut and append garbage
                    bytes =
                        Array(bytes.prefix(Int.random(in: 0..<bytes.count, using: &generator)))
                        + (0..<Int.random(in: 0...100, using: &generator)).map { _ in
                            UInt8.random(in: 0...255, using: &generator)
                        }
                }
                do {
                    let image = try decoder.decode(Data(bytes))
                    // A damaged header can change the size; it must still be within the limit and consistent.
                    #expect(image.pixels.count == image.width * image.height * 3)
                    #expect(Double(image.width * image.height) <= decoder.limits.maxMegapixels * 1_000_000)
                    outcomes["decoded", default: 0] += 1
                    _ = header
                } catch {
                    #expect(!error.message.isEmpty)
                    outcomes[error.code, default: 0] += 1
                }
            }
        }
        print("seeded damage outcomes: \(outcomes.sorted { $0.key < $1.key })")
        #expect(outcomes.values.reduce(0, +) == 7 * 60)
    }

    @Test func hugePNGDimensionsAreRefusedFromTheHeader() {
        // A valid IHDR claiming 100000×100000 RGB, followed by a tiny IDAT: refused before any pixel allocation.
        let png = TestImageBytes.png(width: 100_000, height: 100_000, bitDepth: 8, colourType: 2, rows: [[0, 0, 0]])
        let failure = error(decoding: png)
        #expect(failure == .tooLarge(width: 100_000, height: 100_000, maxMegapixels: 50))
        #expect(failure?.message == "image too large: 100000×100000 is 10000 megapixels, the limit is 50")
    }

    @Test func hugeJPEGDimensionsAreRefusedFromTheHeader() throws {
        // JPEG sizes are 16-bit: patch the fixture's SOF0 to claim 65000×65000 (4225 megapixels).
        var bytes = [UInt8](try CLIPFixtures.image("scene-320x240.jpg"))
        let sof = try #require((2..<(bytes.count - 1)).first { bytes[$0] == 0xFF && bytes[$0 + 1] == 0xC0 })
        bytes[sof + 5] = 0xFD
        bytes[sof + 6] = 0xE8  // height 65000
        bytes[sof + 7] = 0xFD
        bytes[sof + 8] = 0xE8  // width 65000
        #expect(error(decoding: Data(bytes)) == .tooLarge(width: 65_000, height: 65_000, maxMegapixels: 50))
    }

    /// A valid progressive JPEG may carry hundreds of scans, each a pass over the whole image (a CPU bomb when the
    /// image is big). Built here: 8×8 grey, one DC scan, then per AC band a first scan and 13 refinement scans.
    static func progressiveJPEG(acBands: Int) -> Data {
        func segment(_ marker: UInt8, _ body: [UInt8]) -> [UInt8] {
            [0xFF, marker, UInt8((body.count + 2) >> 8), UInt8((body.count + 2) & 0xFF)] + body
        }
        var bytes: [UInt8] = [0xFF, 0xD8] + segment(0xDB, [0] + [UInt8](repeating: 1, count: 64))
        bytes += segment(0xC2, [8, 0, 8, 0, 8, 1, 1, 0x11, 0])
        let oneCodeForSymbolZero: [UInt8] = [1] + [UInt8](repeating: 0, count: 15) + [0]
        bytes += segment(0xC4, [0x00] + oneCodeForSymbolZero) + segment(0xC4, [0x10] + oneCodeForSymbolZero)
        bytes += segment(0xDA, [1, 1, 0, 0, 0, 0x00]) + [0x7F]  // DC: difference 0
        for band in 1...acBands {
            bytes += segment(0xDA, [1, 1, 0, UInt8(band), UInt8(band), 0x0D]) + [0x7F]  // first scan, Al 13: EOB
            for ah in stride(from: 13, to: 0, by: -1) {
                bytes += segment(0xDA, [1, 1, 0, UInt8(band), UInt8(band), UInt8(ah << 4 | (ah - 1))]) + [0x7F]
            }
        }
        return Data(bytes + [0xFF, 0xD9])
    }

    @Test func progressiveJPEGsWithHundredsOfScansAreRefused() throws {
        let fine = try decoder.decode(Self.progressiveJPEG(acBands: 35))  // 491 scans: decodes (flat grey)
        #expect(fine.width == 8 && fine.height == 8 && fine.pixels.allSatisfy { $0 == 128 })
        let failure = error(decoding: Self.progressiveJPEG(acBands: 63))  // 883 scans, which PIL decodes
        #expect(failure == .unsupportedVariant(format: .jpeg, detail: "more than 500 progressive scans"))
    }

    @Test func limitsAreConfigurable() throws {
        let data = try CLIPFixtures.image("large-1600x1200.jpg")
        let small = ImageDecoder(limits: ImageDecodingLimits(maxFileBytes: 64 << 20, maxMegapixels: 1.9))
        #expect(throws: ImageDecodingError.tooLarge(width: 1600, height: 1200, maxMegapixels: 1.9)) {
            try small.decode(data)
        }
        #expect(try ImageDecoder(limits: ImageDecodingLimits(maxMegapixels: 1.92)).decode(data).width == 1600)

        let tight = ImageDecoder(limits: ImageDecodingLimits(maxFileBytes: 1000))
        #expect(throws: ImageDecodingError.fileTooLarge(bytes: data.count, maxBytes: 1000)) { try tight.decode(data) }
        let file = try temporaryFile("large.jpg", data)
        #expect(throws: ImageDecodingError.fileTooLarge(bytes: data.count, maxBytes: 1000)) {
            try tight.decode(contentsOf: file)
        }
    }

    @Test func everyErrorHasADistinctCodeAndAMessage() {
        let errors: [ImageDecodingError] = [
            .empty, .unsupportedFormat(found: "GIF"),
            .unsupportedVariant(format: .webp, detail: "animated WebP is not supported"),
            .corrupt(format: .jpeg, detail: "x"), .truncated(format: .png, detail: "y"),
            .tooLarge(width: 1, height: 2, maxMegapixels: 3), .fileTooLarge(bytes: 4, maxBytes: 5),
            .unreadable(path: "/p", reason: "r"), .outOfMemory(detail: "z"),
        ]
        #expect(Set(errors.map(\.code)).count == errors.count)
        #expect(errors.allSatisfy { !$0.message.isEmpty && $0.description == $0.message })
    }

    private func temporaryFile(_ name: String, _ data: Data) throws -> URL {
        try ScratchDirectory("image-tests").write(data, named: name)
    }
}
