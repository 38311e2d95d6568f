/// Bounds checked before any pixel memory is allocated: the file size before reading, the header's dimensions
/// before decoding.
public struct ImageDecodingLimits: Sendable, Equatable {
    /// Largest accepted file (or byte buffer).
    public var maxFileBytes: Int
    /// Largest accepted `width × height` as declared by the header, in millions of pixels.
    public var maxMegapixels: Double

    public init(maxFileBytes: Int = 64 << 20, maxMegapixels: Double = 50) {
        self.maxFileBytes = maxFileBytes
        self.maxMegapixels = maxMegapixels
    }

    /// 64 MiB, 50 megapixels: every camera photo up to 8K, with room to spare.
    public static let `default` = ImageDecodingLimits()
}
