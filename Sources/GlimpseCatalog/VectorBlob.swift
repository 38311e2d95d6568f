import Foundation

/// Vectors are stored as little-endian IEEE-754 float32 blobs, 4 bytes per dimension.
enum VectorBlob {
    static func encode(_ vector: [Float]) -> Data {
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

    /// The floats in `blob`, or nil when it is not exactly `dimension` float32 values.
    static func decode(_ blob: Data, dimension: Int) -> [Float]? {
        guard dimension > 0, blob.count == dimension * 4 else { return nil }
        return blob.withUnsafeBytes { raw in
            (0..<dimension).map { position in
                Float(
                    bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: position * 4, as: UInt32.self)))
            }
        }
    }
}
