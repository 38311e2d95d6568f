import Foundation

/// The container formats Glimpse decodes, recognised by their leading bytes (never by file extension).
public enum ImageFormat: String, Sendable, Equatable, CustomStringConvertible {
    case jpeg = "JPEG"
    case png = "PNG"
    case webp = "WebP"
    /// HEIF with HEVC pictures (HEIC, as phones write) or another HEIF brand libheif reads.
    case heif = "HEIF"
    case avif = "AVIF"

    public var description: String { rawValue }

    /// What the leading bytes say the data is.
    enum Sniffed: Equatable {
        case format(ImageFormat)
        /// Too short to hold the format's signature but a prefix of it: a cut-off file.
        case truncatedSignature(ImageFormat)
        /// A recognised format we do not decode (GIF, BMP, TIFF, HEIF/AVIF…), by name.
        case unsupported(String)
        case unknown
    }

    private static let pngSignature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
    private static let jpegSignature: [UInt8] = [0xFF, 0xD8, 0xFF]

    static func sniff(_ bytes: UnsafeRawBufferPointer) -> Sniffed {
        func starts(_ signature: [UInt8], at offset: Int = 0) -> Bool {
            bytes.count >= offset + signature.count
                && signature.indices.allSatisfy { bytes[offset + $0] == signature[$0] }
        }
        func ascii(_ text: String, at offset: Int = 0) -> Bool { starts(Array(text.utf8), at: offset) }
        func isPrefix(of signature: [UInt8]) -> Bool {
            bytes.count < signature.count && (0..<bytes.count).allSatisfy { bytes[$0] == signature[$0] }
        }

        if starts(jpegSignature) { return .format(.jpeg) }
        if starts(pngSignature) { return .format(.png) }
        if ascii("RIFF") && ascii("WEBP", at: 8) { return .format(.webp) }
        if isPrefix(of: jpegSignature) { return .truncatedSignature(.jpeg) }
        if isPrefix(of: pngSignature) { return .truncatedSignature(.png) }
        if bytes.count < 12 && ascii("RIFF") { return .truncatedSignature(.webp) }  // "RIFF" alone could be WAV/AVI too
        if ascii("GIF87a") || ascii("GIF89a") { return .unsupported("GIF") }
        if ascii("BM") && bytes.count >= 14 { return .unsupported("BMP") }
        if starts([0x49, 0x49, 0x2A, 0x00]) || starts([0x4D, 0x4D, 0x00, 0x2A]) { return .unsupported("TIFF") }
        if ascii("ftyp", at: 4) {
            if ascii("avif", at: 8) { return .format(.avif) }
            if ascii("avis", at: 8) { return .unsupported("AVIF image sequence") }
            for brand in ["heic", "heix", "heim", "heis", "mif1"] where ascii(brand, at: 8) {
                return .format(.heif)
            }
            if ascii("hevc", at: 8) || ascii("msf1", at: 8) { return .unsupported("HEIF image sequence") }
        }
        if ascii("%PDF") { return .unsupported("PDF") }
        if starts([0x00, 0x00, 0x01, 0x00]) { return .unsupported("ICO") }
        return .unknown
    }
}
