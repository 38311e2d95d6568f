import Foundation

/// `transformers`' `CLIPImageProcessor` on the PIL backend (`CLIPImageProcessorPil`), for one decoded image:
/// resize (shorter edge, PIL bicubic with antialiasing), centre crop, rescale, normalise → CHW floats.
///
/// Resizing and cropping work on 8-bit pixels exactly as PIL and NumPy do, so the crop is bit-identical to the
/// reference; rescale and normalise then follow NumPy's dtypes (float64 rescale cast to float32, float32 normalise).
public struct CLIPImagePreprocessor: Sendable {
    public let config: CLIPPreprocessorConfig

    public init(config: CLIPPreprocessorConfig = CLIPPreprocessorConfig()) {
        self.config = config
    }

    /// Reads a Hugging Face `preprocessor_config.json`.
    public init(configFile: URL) throws {
        self.init(config: try JSONDecoder().decode(CLIPPreprocessorConfig.self, from: Data(contentsOf: configFile)))
    }

    /// Number of floats `pixelValues` returns: 3 × height × width of the output.
    public var outputShape: (channels: Int, height: Int, width: Int) {
        let size = outputSize(forResized: nil)
        return (3, size.height, size.width)
    }

    /// The shorter edge `ImageDecoder` may reduce a JPEG to (DCT scaling) while staying close to a full decode:
    /// twice the largest edge the image will be resized to. Nil when there is no resize.
    public var reducedDecodingMinimumEdge: Int? {
        guard config.doResize else { return nil }
        switch config.size {
        case .shortestEdge(let edge): return 2 * edge
        case .exact(let height, let width): return 2 * max(height, width)
        }
    }

    /// The 8-bit image after resize and centre crop: the pixels `pixelValues` rescales and normalises.
    public func resizedAndCropped(_ image: RGBImage) -> RGBImage {
        var image = image
        if config.doResize {
            let (height, width) = resizeTarget(height: image.height, width: image.width)
            let filter: PillowResampler.Filter = config.resample == .bicubic ? .bicubic : .bilinear
            // Only the part the centre crop keeps is resampled: the same pixels, at a cost bounded by the crop.
            func window(_ size: Int, _ crop: Int) -> Range<Int> {
                config.doCenterCrop && size > crop ? ((size - crop) / 2)..<((size - crop) / 2 + crop) : 0..<size
            }
            image = PillowResampler.resize(
                image, width: width, height: height, filter: filter,
                columns: window(width, config.cropWidth), rows: window(height, config.cropHeight))
        }
        if config.doCenterCrop {
            image = centreCrop(image, height: config.cropHeight, width: config.cropWidth)
        }
        return image
    }

    /// The model input: channel-first floats, `3 × height × width`.
    public func pixelValues(_ image: RGBImage) -> [Float] {
        let cropped = resizedAndCropped(image)
        let plane = cropped.width * cropped.height
        // NumPy: rescale in float64 then cast to float32; normalise in float32 with float32 mean and std.
        let mean = config.imageMean.map { Float($0) }
        let std = config.imageStd.map { Float($0) }
        var lookup = [[Float]](repeating: [], count: 3)
        for c in 0..<3 {
            lookup[c] = (0...255).map { value in
                var x = config.doRescale ? Float(Double(value) * config.rescaleFactor) : Float(value)
                if config.doNormalize { x = (x - mean[c]) / std[c] }
                return x
            }
        }
        return [Float](unsafeUninitializedCapacity: 3 * plane) { out, initialised in
            cropped.pixels.withUnsafeBufferPointer { pixels in
                for c in 0..<3 {
                    lookup[c].withUnsafeBufferPointer { table in
                        for p in 0..<plane { out[c * plane + p] = table[Int(pixels[p * 3 + c])] }
                    }
                }
            }
            initialised = 3 * plane
        }
    }

    /// transformers' `get_resize_output_image_size(default_to_square=False)`: the shorter edge becomes `size`,
    /// the longer one `int(size * long / short)` (truncated, Python float division).
    func resizeTarget(height: Int, width: Int) -> (height: Int, width: Int) {
        switch config.size {
        case .exact(let height, let width):
            return (height, width)
        case .shortestEdge(let edge):
            let (short, long) = width <= height ? (width, height) : (height, width)
            let newLong = Int(Double(edge * long) / Double(short))
            return width <= height ? (newLong, edge) : (edge, newLong)
        }
    }

    private func outputSize(forResized size: (height: Int, width: Int)?) -> (height: Int, width: Int) {
        if config.doCenterCrop { return (config.cropHeight, config.cropWidth) }
        if let size { return size }
        switch config.size {
        case .exact(let height, let width): return (height, width)
        case .shortestEdge(let edge): return (edge, edge)  // varies with the aspect ratio; the square is the minimum
        }
    }

    /// transformers' `center_crop`: offsets `(size - crop) // 2` (floor), zero padding when the image is smaller.
    func centreCrop(_ image: RGBImage, height cropHeight: Int, width cropWidth: Int) -> RGBImage {
        if image.width == cropWidth && image.height == cropHeight { return image }
        // Where the image's top-left corner lands in the crop: cropped at (size - crop) // 2, or, when smaller,
        // centred with ceil((crop - size) / 2) zeros before it.
        func origin(_ size: Int, _ crop: Int) -> Int {
            size >= crop ? -((size - crop) / 2) : (crop - size + 1) / 2
        }
        let ox = origin(image.width, cropWidth)
        let oy = origin(image.height, cropHeight)
        var pixels = [UInt8](repeating: 0, count: cropWidth * cropHeight * 3)
        image.pixels.withUnsafeBufferPointer { input in
            for y in 0..<cropHeight {
                let sy = y - oy
                guard sy >= 0 && sy < image.height else { continue }
                for x in 0..<cropWidth {
                    let sx = x - ox
                    guard sx >= 0 && sx < image.width else { continue }
                    for c in 0..<3 { pixels[(y * cropWidth + x) * 3 + c] = input[(sy * image.width + sx) * 3 + c] }
                }
            }
        }
        return RGBImage(width: cropWidth, height: cropHeight, pixels: pixels)
    }
}
