/// The EXIF Orientation tag (0x0112): how the stored pixels must be transformed to be displayed upright.
/// Raw values 1…8 as in the EXIF/TIFF specification; the PIL transposition each one maps to is noted.
public enum ExifOrientation: Int, Sendable, CaseIterable {
    case up = 1  // as stored
    case upMirrored = 2  // FLIP_LEFT_RIGHT
    case down = 3  // ROTATE_180
    case downMirrored = 4  // FLIP_TOP_BOTTOM
    case leftMirrored = 5  // TRANSPOSE
    case right = 6  // ROTATE_270 (90° clockwise)
    case rightMirrored = 7  // TRANSVERSE
    case left = 8  // ROTATE_90 (90° counter-clockwise)

    /// Whether the upright image has width and height swapped.
    public var swapsAxes: Bool { rawValue >= 5 }

    /// The upright image.
    public func apply(to image: RGBImage) -> RGBImage {
        if self == .up { return image }
        let w = image.width
        let h = image.height
        let outWidth = swapsAxes ? h : w
        let outHeight = swapsAxes ? w : h
        // For output pixel (x, y): the stored pixel shown there.
        let source: (Int, Int) -> (Int, Int)
        switch self {
        case .up: source = { x, y in (x, y) }
        case .upMirrored: source = { x, y in (w - 1 - x, y) }
        case .down: source = { x, y in (w - 1 - x, h - 1 - y) }
        case .downMirrored: source = { x, y in (x, h - 1 - y) }
        case .leftMirrored: source = { x, y in (y, x) }
        case .right: source = { x, y in (y, h - 1 - x) }
        case .rightMirrored: source = { x, y in (w - 1 - y, h - 1 - x) }
        case .left: source = { x, y in (w - 1 - y, x) }
        }
        let pixels = [UInt8](unsafeUninitializedCapacity: w * h * 3) { out, count in
            image.pixels.withUnsafeBufferPointer { input in
                var o = 0
                for y in 0..<outHeight {
                    for x in 0..<outWidth {
                        let (sx, sy) = source(x, y)
                        let i = (sy * w + sx) * 3
                        out[o] = input[i]
                        out[o + 1] = input[i + 1]
                        out[o + 2] = input[i + 2]
                        o += 3
                    }
                }
            }
            count = w * h * 3
        }
        return RGBImage(width: outWidth, height: outHeight, pixels: pixels)
    }
}
