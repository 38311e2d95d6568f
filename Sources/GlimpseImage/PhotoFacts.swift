import CImageCodec
import Foundation

/// What a photo's headers say about it, read without decoding pixels: when it was taken (EXIF DateTimeOriginal,
/// with OffsetTimeOriginal when the camera wrote one) and its upright pixel size.
public struct PhotoFacts: Sendable, Equatable {
    /// The capture instant. With `utcOffset` it is exact; without, EXIF only has the camera's wall-clock time,
    /// which is given here as if it were UTC (the same reading every viewer without an offset makes).
    public let captureTime: Date?
    /// OffsetTimeOriginal as written ("+08:00"), when present and well formed.
    public let utcOffset: String?
    /// Size as displayed: after the EXIF orientation (JPEG, PNG, WebP) or the container's rotation (HEIF, AVIF).
    public let width: Int
    public let height: Int

    public init(captureTime: Date?, utcOffset: String?, width: Int, height: Int) {
        self.captureTime = captureTime
        self.utcOffset = utcOffset
        self.width = width
        self.height = height
    }
}

extension ImageDecoder {
    /// The facts of a file (size limit checked before reading); errors as `decode` gives them for a bad header.
    public func photoFacts(contentsOf url: URL) throws(ImageDecodingError) -> PhotoFacts {
        try photoFacts(read(url))
    }

    public func photoFacts(_ data: Data) throws(ImageDecodingError) -> PhotoFacts {
        let result: Result<PhotoFacts, ImageDecodingError> = data.withUnsafeBytes { bytes in
            Result { () throws(ImageDecodingError) in try photoFacts(bytes) }
        }
        return try result.get()
    }

    private func photoFacts(_ bytes: UnsafeRawBufferPointer) throws(ImageDecodingError) -> PhotoFacts {
        let header = try header(bytes)
        var width = header.width
        var height = header.height
        var capture: ExifCaptureTime?
        switch header.format {
        case .heif, .avif:
            var block: UnsafeMutablePointer<UInt8>?
            var size = 0
            defer { cic_free(block) }
            try call(header.format) { message in
                cic_heif_exif(
                    bytes.baseAddress!.assumingMemoryBound(to: UInt8.self), bytes.count, &block, &size, message)
            }
            if let block, size >= 4 {
                // The item starts with the big-endian offset from its 5th byte to the TIFF header.
                let skip = Int(block[0]) << 24 | Int(block[1]) << 16 | Int(block[2]) << 8 | Int(block[3])
                if skip >= 0, skip <= size - 4 {
                    capture = ExifCaptureTime.read(
                        UnsafeRawBufferPointer(start: block + 4 + skip, count: size - 4 - skip))
                }
            }
        case .jpeg, .png, .webp:
            if let tiff = ExifOrientationReader.exifTIFF(in: bytes, format: header.format) {
                capture = ExifCaptureTime.read(tiff)
            }
            if ExifOrientationReader.orientation(in: bytes, format: header.format).swapsWidthAndHeight {
                swap(&width, &height)
            }
        }
        return PhotoFacts(captureTime: capture?.date, utcOffset: capture?.offset, width: width, height: height)
    }
}

/// DateTimeOriginal (0x9003) and OffsetTimeOriginal (0x9011) from the Exif IFD a TIFF block's IFD0 points to
/// (tag 0x8769). Bounds-checked; anything malformed reads as absent, never as an error.
struct ExifCaptureTime {
    let date: Date
    let offset: String?

    static func read(_ tiff: UnsafeRawBufferPointer) -> ExifCaptureTime? {
        guard let block = TIFFBlock(tiff) else { return nil }
        func ascii(_ tag: Int, in ifd: Int) -> String? {
            guard let (type, count, at) = block.entry(tag, in: ifd), type == 2, count > 0, count < 64 else {
                return nil
            }
            let start = count <= 4 ? at : (block.u32(at) ?? -1)
            guard start >= 0, start + count <= tiff.count else { return nil }
            let text = tiff[start..<(start + count)].prefix { $0 != 0 }
            return String(decoding: text, as: UTF8.self)
        }
        guard let ifd0 = block.firstIFD, let (type, _, at) = block.entry(0x8769, in: ifd0), type == 4 || type == 13,
            let exifIFD = block.u32(at), let taken = ascii(0x9003, in: exifIFD)
        else { return nil }
        let offset = ascii(0x9011, in: exifIFD).flatMap(Self.offsetSeconds)
        guard let local = Self.wallClock(taken) else { return nil }
        return ExifCaptureTime(
            date: local.addingTimeInterval(-Double(offset?.seconds ?? 0)), offset: offset?.text)
    }

    /// "YYYY:MM:DD HH:MM:SS" as a UTC date (cameras write blanks or zeros when unset: those read as absent).
    static func wallClock(_ text: String) -> Date? {
        let digits = Array(text.utf8)
        guard digits.count >= 19 else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for index in range {
                guard (48...57).contains(digits[index]) else { return nil }
                value = value * 10 + Int(digits[index] - 48)
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
            let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19),
            (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61, year > 0
        else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let components = DateComponents(
            year: year, month: month, day: day, hour: hour, minute: minute, second: second)
        guard let date = calendar.date(from: components),
            calendar.component(.day, from: date) == day  // 31 February is not a date
        else { return nil }
        return date
    }

    /// "+08:00" → (28800, "+08:00"); anything else is nil.
    static func offsetSeconds(_ text: String) -> (seconds: Int, text: String)? {
        let bytes = Array(text.utf8)
        guard bytes.count == 6, bytes[0] == 43 || bytes[0] == 45, bytes[3] == 58,
            let hours = Int(String(decoding: bytes[1..<3], as: UTF8.self)),
            let minutes = Int(String(decoding: bytes[4..<6], as: UTF8.self)), hours <= 14, minutes < 60
        else { return nil }
        let seconds = (hours * 3600 + minutes * 60) * (bytes[0] == 45 ? -1 : 1)
        return (seconds, text)
    }
}

extension ExifOrientation {
    /// Orientations 5–8 turn the picture a quarter: its upright width is the stored height.
    var swapsWidthAndHeight: Bool { rawValue >= 5 }
}
