/// A decoded picture, upright (EXIF orientation already applied), 8 bits per channel, RGB interleaved, rows top to
/// bottom without padding. Every decoder produces this, and every preprocessor starts from it.
public struct RGBImage: Sendable, Equatable {
    public let width: Int
    public let height: Int
    /// `width * height * 3` bytes: R, G, B of pixel (x, y) at `(y * width + x) * 3`.
    public let pixels: [UInt8]

    public init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(
            width > 0 && height > 0 && pixels.count == width * height * 3, "pixels must hold width × height × 3 bytes")
        self.width = width
        self.height = height
        self.pixels = pixels
    }
}
