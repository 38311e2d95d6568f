/// Why an image could not be decoded. Each case has a stable `code` and a `message` fit for a per-item API error.
public enum ImageDecodingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Zero bytes.
    case empty
    /// Not a format we decode: `found` names what the bytes look like ("GIF", or "unrecognised data").
    case unsupportedFormat(found: String)
    /// A format we decode, but a variant we do not (12-bit JPEG, animated WebP, …).
    case unsupportedVariant(format: ImageFormat, detail: String)
    /// The codec rejected the data.
    case corrupt(format: ImageFormat, detail: String)
    /// The data ends before the image does.
    case truncated(format: ImageFormat, detail: String)
    /// The header declares more pixels than the configured limit; nothing was decoded.
    case tooLarge(width: Int, height: Int, maxMegapixels: Double)
    /// The file is bigger than the configured limit; it was not read.
    case fileTooLarge(bytes: Int, maxBytes: Int)
    /// The file could not be read (missing, a directory, no permission, I/O error).
    case unreadable(path: String, reason: String)
    /// Memory for the decoded pixels could not be allocated.
    case outOfMemory(detail: String)

    /// A short machine-readable code, e.g. for an API error body.
    public var code: String {
        switch self {
        case .empty: "image_empty"
        case .unsupportedFormat: "image_unsupported_format"
        case .unsupportedVariant: "image_unsupported_variant"
        case .corrupt: "image_corrupt"
        case .truncated: "image_truncated"
        case .tooLarge: "image_too_large"
        case .fileTooLarge: "image_file_too_large"
        case .unreadable: "image_unreadable"
        case .outOfMemory: "image_out_of_memory"
        }
    }

    public var message: String {
        switch self {
        case .empty:
            return "the image is empty (0 bytes)"
        case .unsupportedFormat(let found):
            return "unsupported image format (\(found)); expected JPEG, PNG or WebP"
        case .unsupportedVariant(let format, let detail):
            return "unsupported \(format) image: \(detail)"
        case .corrupt(let format, let detail):
            return "corrupt \(format) image: \(detail)"
        case .truncated(let format, let detail):
            return "truncated \(format) image: \(detail)"
        case .tooLarge(let width, let height, let maxMegapixels):
            let megapixels = Double(width) * Double(height) / 1_000_000
            return "image too large: \(width)×\(height) is \(Self.format(megapixels)) megapixels, the limit is "
                + "\(Self.format(maxMegapixels))"
        case .fileTooLarge(let bytes, let maxBytes):
            return "image file too large: \(bytes) bytes, the limit is \(maxBytes)"
        case .unreadable(let path, let reason):
            return "cannot read image file \(path): \(reason)"
        case .outOfMemory(let detail):
            return "not enough memory to decode the image: \(detail)"
        }
    }

    public var description: String { message }

    /// Whole numbers without a decimal point, others to one decimal.
    private static func format(_ value: Double) -> String {
        let tenths = (value * 10).rounded() / 10
        return tenths == tenths.rounded() ? String(Int(tenths)) : String(tenths)
    }
}
