import Foundation
import GlimpseImage
import GlimpseTestSupport
import Testing

/// Capture time and size from the headers of pictures with known EXIF (scripts/make-photo-facts-fixtures.py).
@Suite struct PhotoFactsTests {
    static let folder = TestFixtures.root.appendingPathComponent("PhotoFacts")

    private func facts(_ name: String) throws -> PhotoFacts {
        try ImageDecoder().photoFacts(contentsOf: Self.folder.appendingPathComponent(name))
    }

    /// The instant of a UTC wall-clock time, built independently of the reader.
    private func utc(_ year: Int, _ month: Int, _ day: Int, _ hour: Int, _ minute: Int, _ second: Int) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 0)!
        return calendar.date(
            from: DateComponents(year: year, month: month, day: day, hour: hour, minute: minute, second: second))!
    }

    @Test func jpegWithOffsetAndOrientationGivesTheInstantAndTheUprightSize() throws {
        // 2024-05-17 14:03:59 at +08:00 is 06:03:59 UTC; orientation 6 turns the stored 64×48 upright to 48×64.
        #expect(
            try facts("offset-rotated.jpg")
                == PhotoFacts(captureTime: utc(2024, 5, 17, 6, 3, 59), utcOffset: "+08:00", width: 48, height: 64))
    }

    @Test func pngWithoutOffsetGivesTheWallClockAsUTC() throws {
        #expect(
            try facts("no-offset.png")
                == PhotoFacts(captureTime: utc(2023, 12, 31, 23, 59, 58), utcOffset: nil, width: 64, height: 48))
    }

    @Test func webpAndHeicExifAreRead() throws {
        // 04:05:06 at -05:30 is 09:35:06 UTC.
        #expect(
            try facts("offset.webp")
                == PhotoFacts(captureTime: utc(2022, 2, 3, 9, 35, 6), utcOffset: "-05:30", width: 64, height: 48))
        #expect(
            try facts("offset.heic")
                == PhotoFacts(captureTime: utc(2021, 7, 8, 9, 10, 11), utcOffset: "+00:00", width: 64, height: 48))
    }

    @Test func picturesWithoutExifHaveOnlyTheirSize() throws {
        let decoder = ImageDecoder()
        let jpeg = try decoder.photoFacts(contentsOf: CLIPFixtures.images.appendingPathComponent("tiny-100x80.jpg"))
        #expect(jpeg == PhotoFacts(captureTime: nil, utcOffset: nil, width: 100, height: 80))
        let avif = try decoder.photoFacts(
            contentsOf: TestFixtures.root.appendingPathComponent("HEIF/bee.avif"))
        #expect(avif == PhotoFacts(captureTime: nil, utcOffset: nil, width: 128, height: 72))
    }

    @Test func malformedDatesAndOffsetsReadAsAbsentAndBadFilesAreDecodingErrors() throws {
        // The same JPEG with its date and offset overwritten in place by blanks and nonsense.
        var bytes = [UInt8](try Data(contentsOf: Self.folder.appendingPathComponent("offset-rotated.jpg")))
        func overwrite(_ old: String, _ new: String) throws {
            let needle = Array(old.utf8)
            let start = try #require(
                (0...(bytes.count - needle.count)).first { Array(bytes[$0..<($0 + needle.count)]) == needle })
            bytes.replaceSubrange(start..<(start + needle.count), with: Array(new.utf8))
        }
        try overwrite("+08:00", "+8:000")
        let withoutOffset = try ImageDecoder().photoFacts(Data(bytes))
        #expect(withoutOffset.utcOffset == nil)
        #expect(withoutOffset.captureTime == utc(2024, 5, 17, 14, 3, 59))
        try overwrite("2024:05:17 14:03:59", "    :  :     :  :  ")
        #expect(try ImageDecoder().photoFacts(Data(bytes)).captureTime == nil)
        #expect(throws: ImageDecodingError.self) { try ImageDecoder().photoFacts(Data(bytes.prefix(100))) }
        #expect(throws: ImageDecodingError.unsupportedFormat(found: "unrecognised data")) {
            try ImageDecoder().photoFacts(Data("not a photo".utf8))
        }
    }
}
