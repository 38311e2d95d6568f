import CImageCodec
import Foundation

/// Decodes JPEG, PNG, WebP, HEIF (HEIC) and AVIF bytes or files to an upright `RGBImage`, as PIL's `Image.open` →
/// `ImageOps.exif_transpose` → `convert("RGB")` does (what `transformers.image_utils.load_image` runs).
///
/// The format is sniffed from the leading bytes. File size and header dimensions are checked against `limits`
/// before anything big is allocated. Every failure is an `ImageDecodingError`; the C codecs never exit or crash.
public struct ImageDecoder: Sendable {
    public var limits: ImageDecodingLimits

    public init(limits: ImageDecodingLimits = .default) {
        self.limits = limits
    }

    /// Dimensions and format as the header declares them (before EXIF orientation), without decoding pixels.
    public struct Header: Sendable, Equatable {
        public let format: ImageFormat
        public let width: Int
        public let height: Int
    }

    /// Reads and decodes a file.
    ///
    /// - Parameter reducedDecodingMinimumEdge: see `decode(_:reducedDecodingMinimumEdge:)`.
    public func decode(contentsOf url: URL, reducedDecodingMinimumEdge: Int? = nil) throws(ImageDecodingError)
        -> RGBImage
    {
        try decode(read(url), reducedDecodingMinimumEdge: reducedDecodingMinimumEdge)
    }

    /// Decodes bytes.
    ///
    /// - Parameter reducedDecodingMinimumEdge: nil decodes at full size (bit-identical to PIL). Otherwise a JPEG
    ///   may be decoded at 1/2, 1/4 or 1/8 of its size with libjpeg's DCT scaling — much faster for big photos —
    ///   choosing the smallest scale whose shorter edge is still at least this many pixels. Pass about twice the
    ///   size the image will be resized to (`CLIPImagePreprocessor.reducedDecodingMinimumEdge`).
    public func decode(_ data: Data, reducedDecodingMinimumEdge: Int? = nil) throws(ImageDecodingError) -> RGBImage {
        let result: Result<RGBImage, ImageDecodingError> = data.withUnsafeBytes { bytes in
            Result { () throws(ImageDecodingError) in
                try decode(bytes, reducedDecodingMinimumEdge: reducedDecodingMinimumEdge)
            }
        }
        return try result.get()
    }

    /// The format and declared size, without decoding pixels (the megapixel limit is not applied here).
    public func header(_ data: Data) throws(ImageDecodingError) -> Header {
        let result: Result<Header, ImageDecodingError> = data.withUnsafeBytes { bytes in
            Result { () throws(ImageDecodingError) in try header(bytes) }
        }
        return try result.get()
    }

    // MARK: - Steps

    func read(_ url: URL) throws(ImageDecodingError) -> Data {
        let path = url.path
        var info = stat()
        guard stat(path, &info) == 0 else { throw .unreadable(path: path, reason: String(cString: strerror(errno))) }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw .unreadable(path: path, reason: "not a regular file") }
        guard Int(info.st_size) <= limits.maxFileBytes else {
            throw .fileTooLarge(bytes: Int(info.st_size), maxBytes: limits.maxFileBytes)
        }
        do {
            return try Data(contentsOf: url)
        } catch {
            let reason = (error as NSError).localizedFailureReason ?? (error as NSError).localizedDescription
            throw .unreadable(path: path, reason: reason)
        }
    }

    func header(_ bytes: UnsafeRawBufferPointer) throws(ImageDecodingError) -> Header {
        guard !bytes.isEmpty else { throw .empty }
        guard bytes.count <= limits.maxFileBytes else {
            throw .fileTooLarge(bytes: bytes.count, maxBytes: limits.maxFileBytes)
        }
        let format: ImageFormat
        switch ImageFormat.sniff(bytes) {
        case .format(let found): format = found
        case .truncatedSignature(let found): throw .truncated(format: found, detail: "only \(bytes.count) bytes")
        case .unsupported(let name): throw .unsupportedFormat(found: name)
        case .unknown: throw .unsupportedFormat(found: "unrecognised data")
        }
        var header = cic_header()
        try call(format) { message in
            let base = bytes.baseAddress!.assumingMemoryBound(to: UInt8.self)
            switch format {
            case .jpeg: return cic_jpeg_header(base, bytes.count, &header, message)
            case .png: return cic_png_header(base, bytes.count, &header, message)
            case .webp: return cic_webp_header(base, bytes.count, &header, message)
            case .heif, .avif: return cic_heif_header(base, bytes.count, &header, message)
            }
        }
        guard header.width > 0, header.height > 0 else {
            throw .corrupt(format: format, detail: "zero width or height")
        }
        return Header(format: format, width: Int(header.width), height: Int(header.height))
    }

    private func decode(_ bytes: UnsafeRawBufferPointer, reducedDecodingMinimumEdge: Int?) throws(ImageDecodingError)
        -> RGBImage
    {
        let header = try header(bytes)
        guard Double(header.width) * Double(header.height) <= limits.maxMegapixels * 1_000_000 else {
            throw .tooLarge(width: header.width, height: header.height, maxMegapixels: limits.maxMegapixels)
        }
        var image = cic_image()
        defer { cic_free(image.pixels) }
        try call(header.format) { message in
            let base = bytes.baseAddress!.assumingMemoryBound(to: UInt8.self)
            switch header.format {
            case .jpeg:
                let denominator = Self.jpegScaleDenominator(
                    width: header.width, height: header.height,
                    minimumEdge: reducedDecodingMinimumEdge)
                return cic_jpeg_decode(base, bytes.count, Int32(denominator), &image, message)
            case .png: return cic_png_decode(base, bytes.count, &image, message)
            case .webp: return cic_webp_decode(base, bytes.count, &image, message)
            case .heif, .avif: return cic_heif_decode(base, bytes.count, &image, message)
            }
        }
        let count = Int(image.width) * Int(image.height)
        let stored = UnsafeBufferPointer(start: image.pixels, count: count * Int(image.channels))
        let pixels = image.channels == 4 ? CMYKConversion.rgb(fromInvertedCMYK: stored) : Array(stored)
        let upright = RGBImage(width: Int(image.width), height: Int(image.height), pixels: pixels)
        return ExifOrientationReader.orientation(in: bytes, format: header.format).apply(to: upright)
    }

    /// The largest of 8, 4, 2 (else 1) that keeps the shorter edge ≥ `minimumEdge` (libjpeg rounds sizes up).
    static func jpegScaleDenominator(width: Int, height: Int, minimumEdge: Int?) -> Int {
        guard let minimumEdge, minimumEdge > 0 else { return 1 }
        for denominator in [8, 4, 2] {
            let shorter = min((width + denominator - 1) / denominator, (height + denominator - 1) / denominator)
            if shorter >= minimumEdge { return denominator }
        }
        return 1
    }

    /// Runs a C codec call and turns its status into an `ImageDecodingError`.
    func call(_ format: ImageFormat, _ body: (UnsafeMutablePointer<CChar>) -> Int32) throws(ImageDecodingError) {
        var buffer = [CChar](repeating: 0, count: Int(CIC_MESSAGE_SIZE))
        let status = buffer.withUnsafeMutableBufferPointer { body($0.baseAddress!) }
        guard Int(status) != Int(CIC_OK) else { return }
        var detail = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        if detail.isEmpty { detail = "the decoder gave no reason" }
        switch Int(status) {
        case Int(CIC_TRUNCATED): throw .truncated(format: format, detail: detail)
        case Int(CIC_UNSUPPORTED): throw .unsupportedVariant(format: format, detail: detail)
        case Int(CIC_NO_MEMORY): throw .outOfMemory(detail: detail)
        default: throw .corrupt(format: format, detail: detail)
        }
    }
}
