/// CMYK → RGB as PIL does for JPEG: samples are read as Adobe-inverted ("CMYK;I", which PIL assumes for every
/// 4-channel JPEG) and converted with Pillow's `cmyk2rgb` integer formula.
enum CMYKConversion {
    static func rgb(fromInvertedCMYK cmyk: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        let count = cmyk.count / 4
        return [UInt8](unsafeUninitializedCapacity: count * 3) { out, initialised in
            for p in 0..<count {
                let nk = Int(cmyk[p * 4 + 3])  // 255 - k, k being the inverted stored sample
                for c in 0..<3 {
                    let value = 255 - Int(cmyk[p * 4 + c])
                    let product = value * nk + 128  // Pillow's MULDIV255
                    out[p * 3 + c] = UInt8(clamping: nk - ((product >> 8) + product) >> 8)
                }
            }
            initialised = count * 3
        }
    }
}
