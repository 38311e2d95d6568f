/// The Q4_0 block layout of E5S1 weights: 32 weights share one fp16 scale `d`; 16 bytes hold the 4-bit codes, byte
/// j's low nibble is weight j and its high nibble weight j+16; a weight's value is (code - 8) * d.
package enum Q4Blocks {
    package static let weightsPerBlock = 32
    package static let bytesPerBlock = 18

    package static func byteCount(weights: Int) -> Int { weights / weightsPerBlock * bytesPerBlock }

    /// Dequantises `output.count` weights (a multiple of 32) starting at `source`.
    package static func dequantise(
        _ source: UnsafeRawPointer, into output: UnsafeMutableBufferPointer<Float>
    ) {
        for block in 0..<(output.count / weightsPerBlock) {
            let base = source + block * bytesPerBlock
            let scale = floatFromHalf(UInt16(littleEndian: base.loadUnaligned(as: UInt16.self)))
            let out = output.baseAddress! + block * weightsPerBlock
            for j in 0..<16 {
                let byte = base.load(fromByteOffset: 2 + j, as: UInt8.self)
                out[j] = Float(Int(byte & 0x0F) - 8) * scale
                out[j + 16] = Float(Int(byte >> 4) - 8) * scale
            }
        }
    }

    /// IEEE 754 half → single precision (bit manipulation: Float16 is not available on every platform we build for).
    package static func floatFromHalf(_ half: UInt16) -> Float {
        let sign = UInt32(half & 0x8000) << 16
        var exponent = UInt32(half >> 10) & 0x1F
        var mantissa = UInt32(half) & 0x3FF
        let bits: UInt32
        if exponent == 0 {
            if mantissa == 0 {
                bits = sign
            } else {
                // Subnormal half: normalise it into a single-precision normal number.
                exponent = 1
                while mantissa & 0x400 == 0 {
                    mantissa <<= 1
                    exponent += 1
                }
                mantissa &= 0x3FF
                bits = sign | ((127 - 15 + 1 - exponent) << 23) | (mantissa << 13)
            }
        } else if exponent == 31 {
            bits = sign | 0x7F80_0000 | (mantissa << 13)
        } else {
            bits = sign | ((exponent + 127 - 15) << 23) | (mantissa << 13)
        }
        return Float(bitPattern: bits)
    }
}
