/// A port of Pillow's `ImagingResample` for 8-bit images (src/libImaging/Resample.c): a separable convolution,
/// horizontal pass then vertical pass, whose filter support grows with the downscale factor (antialiasing), with
/// coefficients normalised to sum 1 and then to 22-bit fixed point, rounding, and a clamp to 0…255 after each pass.
/// Every step follows Pillow's order of operations so results are bit-identical to `PIL.Image.resize`.
enum PillowResampler {
    enum Filter {
        case bilinear
        case bicubic

        var support: Double {
            switch self {
            case .bilinear: 1.0
            case .bicubic: 2.0
            }
        }

        func weight(_ x: Double) -> Double {
            let x = x < 0 ? -x : x
            switch self {
            case .bilinear:
                return x < 1.0 ? 1.0 - x : 0.0
            case .bicubic:
                let a = -0.5
                if x < 1.0 { return ((a + 2.0) * x - (a + 3.0)) * x * x + 1 }
                if x < 2.0 { return (((x - 5) * x + 8) * x - 4) * a }
                return 0.0
            }
        }
    }

    /// 32 bits minus 8 for the result minus 2 for overflow of filters with negative lobes.
    static let precisionBits = 22

    /// For each output pixel, the first input pixel, how many it reads, and fixed-point weights (`kernelSize` each).
    struct Coefficients {
        var kernelSize: Int
        var first: [Int]
        var count: [Int]
        var weights: [Int32]
    }

    /// Pillow's `precompute_coeffs` followed by `normalize_coeffs_8bpc`, for the output pixels in `range` only (each
    /// output pixel's weights depend on its own index alone, so a window gives exactly the same values).
    static func coefficients(inSize: Int, outSize: Int, filter: Filter, range: Range<Int>) -> Coefficients {
        let scale = Double(Float(inSize) - Float(0)) / Double(outSize)  // Pillow's box is float
        let filterScale = max(scale, 1.0)
        let support = filter.support * filterScale
        let kernelSize = Int(support.rounded(.up)) * 2 + 1
        var first = [Int](repeating: 0, count: range.count)
        var count = [Int](repeating: 0, count: range.count)
        var weights = [Int32](repeating: 0, count: range.count * kernelSize)
        var k = [Double](repeating: 0, count: kernelSize)
        let one = Double(1 << precisionBits)
        for (i, xx) in range.enumerated() {
            let center = 0.0 + (Double(xx) + 0.5) * scale
            let ss = 1.0 / filterScale
            let xmin = max(Int(center - support + 0.5), 0)
            let xmax = min(Int(center + support + 0.5), inSize) - xmin
            var ww = 0.0
            for x in 0..<max(xmax, 0) {
                let w = filter.weight((Double(x + xmin) - center + 0.5) * ss)
                k[x] = w
                ww += w
            }
            for x in 0..<max(xmax, 0) {
                if ww != 0.0 { k[x] /= ww }
                let value = k[x] * one
                weights[i * kernelSize + x] = Int32(k[x] < 0 ? (-0.5 + value) : (0.5 + value))
            }
            first[i] = xmin
            count[i] = max(xmax, 0)
        }
        return Coefficients(kernelSize: kernelSize, first: first, count: count, weights: weights)
    }

    @inline(__always)
    static func clip8(_ value: Int32) -> UInt8 {
        let shifted = value >> Int32(precisionBits)
        return shifted < 0 ? 0 : shifted > 255 ? 255 : UInt8(shifted)
    }

    /// `image.resize((width, height), resample=filter)` for an RGB image, cropped to `columns` × `rows` of the
    /// resized image. Only the window is computed, so the cost and memory follow the window, not the resized size
    /// (a 1×100000 image resized to a shorter edge of 224 would be 224×22,400,000).
    static func resize(
        _ image: RGBImage, width: Int, height: Int, filter: Filter,
        columns: Range<Int>? = nil, rows: Range<Int>? = nil
    ) -> RGBImage {
        let columns = columns ?? 0..<width
        let rows = rows ?? 0..<height
        precondition(
            columns.lowerBound >= 0 && columns.upperBound <= width && rows.lowerBound >= 0 && rows.upperBound <= height)
        let needHorizontal = width != image.width
        let needVertical = height != image.height
        var vertical =
            needVertical ? coefficients(inSize: image.height, outSize: height, filter: filter, range: rows) : nil

        // Horizontal pass (or a plain column crop) over the input rows the vertical pass will read.
        let inputRows: Range<Int>
        if let v = vertical {
            inputRows = v.first[0]..<(v.first[rows.count - 1] + v.count[rows.count - 1])
            for i in 0..<rows.count { vertical!.first[i] -= inputRows.lowerBound }
        } else {
            inputRows = rows
        }
        let horizontal =
            needHorizontal ? coefficients(inSize: image.width, outSize: width, filter: filter, range: columns) : nil
        let stage = horizontalPass(
            image.pixels, inWidth: image.width, rows: inputRows, columns: columns, coefficients: horizontal)
        guard let vertical else { return RGBImage(width: columns.count, height: rows.count, pixels: stage) }
        return RGBImage(
            width: columns.count, height: rows.count,
            pixels: verticalPass(stage, width: columns.count, outHeight: rows.count, coefficients: vertical))
    }

    /// Output columns `columns` of each row in `rows`: resampled with `coefficients`, or copied when nil.
    private static func horizontalPass(
        _ input: [UInt8], inWidth: Int, rows: Range<Int>, columns: Range<Int>,
        coefficients: Coefficients?
    ) -> [UInt8] {
        let half = Int32(1 << (precisionBits - 1))
        let outWidth = columns.count
        return [UInt8](unsafeUninitializedCapacity: rows.count * outWidth * 3) { out, initialised in
            input.withUnsafeBufferPointer { input in
                guard let c = coefficients else {
                    for (row, y) in rows.enumerated() {
                        let from = (y * inWidth + columns.lowerBound) * 3
                        for i in 0..<(outWidth * 3) { out[row * outWidth * 3 + i] = input[from + i] }
                    }
                    return
                }
                c.weights.withUnsafeBufferPointer { weights in
                    for (row, y) in rows.enumerated() {
                        let inRow = y * inWidth * 3
                        let outRow = row * outWidth * 3
                        for xx in 0..<outWidth {
                            let xmin = c.first[xx]
                            let n = c.count[xx]
                            let k = xx * c.kernelSize
                            var s0 = half
                            var s1 = half
                            var s2 = half
                            var i = inRow + xmin * 3
                            for x in 0..<n {
                                let w = weights[k + x]
                                s0 &+= Int32(input[i]) &* w
                                s1 &+= Int32(input[i + 1]) &* w
                                s2 &+= Int32(input[i + 2]) &* w
                                i += 3
                            }
                            out[outRow + xx * 3] = clip8(s0)
                            out[outRow + xx * 3 + 1] = clip8(s1)
                            out[outRow + xx * 3 + 2] = clip8(s2)
                        }
                    }
                }
            }
            initialised = rows.count * outWidth * 3
        }
    }

    private static func verticalPass(_ input: [UInt8], width: Int, outHeight: Int, coefficients c: Coefficients)
        -> [UInt8]
    {
        let half = Int32(1 << (precisionBits - 1))
        let rowBytes = width * 3
        return [UInt8](unsafeUninitializedCapacity: outHeight * rowBytes) { out, initialised in
            input.withUnsafeBufferPointer { input in
                c.weights.withUnsafeBufferPointer { weights in
                    var sums = [Int32](repeating: 0, count: rowBytes)
                    for yy in 0..<outHeight {
                        let ymin = c.first[yy]
                        let n = c.count[yy]
                        let k = yy * c.kernelSize
                        // Row by row so the inner loop runs over contiguous bytes.
                        for i in 0..<rowBytes { sums[i] = half }
                        for y in 0..<n {
                            let w = weights[k + y]
                            let inRow = (ymin + y) * rowBytes
                            for i in 0..<rowBytes { sums[i] &+= Int32(input[inRow + i]) &* w }
                        }
                        let outRow = yy * rowBytes
                        for i in 0..<rowBytes { out[outRow + i] = clip8(sums[i]) }
                    }
                }
            }
            initialised = outHeight * rowBytes
        }
    }
}
