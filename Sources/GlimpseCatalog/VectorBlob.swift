import Foundation

/// How a vector is stored in `vectors.vector`. Two forms, told apart by the blob's length alone:
///
/// - **float16** (written since migration 0004): one tag byte `0x10`, then `dimension` little-endian IEEE-754
///   binary16 values — 2 bytes per dimension instead of 4. Its length, `2 * dimension + 1`, is odd, so it can never
///   be mistaken for the other form.
/// - **float32** (every blob written before 0004, and vectors float16 cannot hold faithfully): `dimension`
///   little-endian float32 values, no tag; length `4 * dimension`.
///
/// Why float16: the index keeps its own copy of every vector, so the catalog's copy is only read to rebuild or
/// replay the index and to re-score hits; embeddings are unit vectors whose components float16 holds to a relative
/// error of 2^-11, which moves a cosine by less than 1e-6. A vector whose float16 form would be further from the
/// original than that (components beyond ±65504, or a vector so small that most components are subnormal) is
/// stored as float32 instead, so decoding never returns a vector that is not close to what was written.
enum VectorBlob {
    /// The tag byte of a float16 blob.
    static let float16Tag: UInt8 = 0x10

    /// The largest ‖v − float16(v)‖ / ‖v‖ accepted before falling back to float32 (float16 rounding alone stays
    /// below 2^-12 ≈ 2.4e-4 for normal components).
    static let float16RelativeErrorLimit: Float = 1e-3

    /// The stored form of `vector`: float16 when it holds the vector faithfully, else float32.
    static func encode(_ vector: [Float]) -> Data {
        encodeFloat16(vector) ?? encodeFloat32(vector)
    }

    /// What decoding the stored form of `vector` gives back (what every reader of the catalog will see).
    static func storedValues(_ vector: [Float]) -> [Float] {
        encodeFloat16(vector).flatMap { decode($0, dimension: vector.count) } ?? vector
    }

    /// The float16 blob of `vector`, or nil when float16 would overflow or lose more than the error limit.
    static func encodeFloat16(_ vector: [Float]) -> Data? {
        var data = Data(count: 1 + vector.count * 2)
        var errorSquared: Float = 0
        var normSquared: Float = 0
        let fits = data.withUnsafeMutableBytes { raw -> Bool in
            raw[0] = float16Tag
            for (position, value) in vector.enumerated() {
                let half = HalfFloat.bits(of: value)
                guard half & 0x7C00 != 0x7C00 else { return false }  // overflowed to infinity (or was not finite)
                let difference = HalfFloat.value(of: half) - value
                errorSquared += difference * difference
                normSquared += value * value
                raw.storeBytes(of: half.littleEndian, toByteOffset: 1 + position * 2, as: UInt16.self)
            }
            return true
        }
        guard fits, normSquared.isFinite,
            errorSquared <= float16RelativeErrorLimit * float16RelativeErrorLimit * normSquared
        else { return nil }
        return data
    }

    /// The legacy float32 blob of `vector` (4 bytes per dimension, no tag).
    static func encodeFloat32(_ vector: [Float]) -> Data {
        #if _endian(little)
        return vector.withUnsafeBufferPointer { Data(buffer: $0) }
        #else
        var data = Data(capacity: vector.count * 4)
        for value in vector {
            withUnsafeBytes(of: value.bitPattern.littleEndian) { data.append(contentsOf: $0) }
        }
        return data
        #endif
    }

    /// The floats in `blob`, or nil when it is neither form of `dimension` values (wrong length or unknown tag).
    /// Values are not checked for finiteness here; callers that need finite vectors check (as index replay does).
    static func decode(_ blob: Data, dimension: Int) -> [Float]? {
        guard dimension > 0 else { return nil }
        return blob.withUnsafeBytes { raw -> [Float]? in
            if raw.count == dimension * 4 {
                return (0..<dimension).map { position in
                    Float(
                        bitPattern: UInt32(
                            littleEndian: raw.loadUnaligned(fromByteOffset: position * 4, as: UInt32.self)))
                }
            }
            guard raw.count == 1 + dimension * 2, raw[0] == float16Tag else { return nil }
            return (0..<dimension).map { position in
                HalfFloat.value(
                    of: UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: 1 + position * 2, as: UInt16.self)))
            }
        }
    }
}

/// IEEE-754 binary16 conversions by bit manipulation (Swift's `Float16` is not available on every platform we build
/// for, e.g. macOS on x86_64).
enum HalfFloat {
    /// The binary16 bits nearest `value` (round to nearest, ties to even); ±infinity beyond ±65504, NaN stays NaN.
    static func bits(of value: Float) -> UInt16 {
        let bits = value.bitPattern
        let sign = UInt16(truncatingIfNeeded: (bits >> 16) & 0x8000)
        let exponent = Int((bits >> 23) & 0xFF)
        let mantissa = bits & 0x7F_FFFF
        if exponent == 0xFF { return sign | 0x7C00 | (mantissa != 0 ? 0x200 : 0) }
        let halfExponent = exponent - 127 + 15
        if halfExponent >= 0x1F { return sign | 0x7C00 }
        if halfExponent <= 0 {
            // Subnormal in binary16 (or zero): the significand with its implicit bit, shifted into place.
            guard halfExponent >= -10 else { return sign }
            let significand = mantissa | 0x80_0000
            let shift = UInt32(14 - halfExponent)
            var half = significand >> shift
            let remainder = significand & ((1 << shift) - 1)
            let halfway: UInt32 = 1 << (shift - 1)
            if remainder > halfway || (remainder == halfway && half & 1 == 1) { half += 1 }
            return sign | UInt16(truncatingIfNeeded: half)
        }
        var half = UInt32(halfExponent) << 10 | mantissa >> 13
        let remainder = mantissa & 0x1FFF
        // A carry out of the mantissa correctly moves to the next exponent (and to infinity past the largest).
        if remainder > 0x1000 || (remainder == 0x1000 && half & 1 == 1) { half += 1 }
        return sign | UInt16(truncatingIfNeeded: half)
    }

    /// The float32 value of binary16 `bits` (exact: every binary16 value is a float32 value).
    static func value(of bits: UInt16) -> Float {
        let sign = UInt32(bits & 0x8000) << 16
        let exponent = UInt32(bits >> 10) & 0x1F
        let mantissa = UInt32(bits & 0x3FF)
        switch exponent {
        case 0:
            let magnitude = Float(mantissa) * 0x1p-24
            return sign == 0 ? magnitude : -magnitude
        case 0x1F:
            return Float(bitPattern: sign | 0x7F80_0000 | mantissa << 13)
        default:
            return Float(bitPattern: sign | (exponent + 112) << 23 | mantissa << 13)
        }
    }
}
