/// A little-endian cursor over the model file that throws `E5ModelError.truncated` instead of reading past the end.
struct BoundedByteReader {
    let bytes: UnsafeRawBufferPointer
    private(set) var offset: Int

    init(_ bytes: UnsafeRawBufferPointer, offset: Int = 0) {
        self.bytes = bytes
        self.offset = offset
    }

    var remaining: Int { bytes.count - offset }

    mutating func read<T: FixedWidthInteger>(_: T.Type, in section: String) throws -> T {
        let size = MemoryLayout<T>.size
        guard remaining >= size else { throw E5ModelError.truncated(section: section) }
        let value = bytes.loadUnaligned(fromByteOffset: offset, as: T.self)
        offset += size
        return T(littleEndian: value)
    }

    mutating func readFloat(in section: String) throws -> Float {
        Float(bitPattern: try read(UInt32.self, in: section))
    }

    /// Skips `count` bytes and returns the byte range they occupy.
    mutating func take(_ count: Int, in section: String) throws -> Range<Int> {
        guard count >= 0, remaining >= count else { throw E5ModelError.truncated(section: section) }
        defer { offset += count }
        return offset..<(offset + count)
    }

    /// Reads `count` little-endian 32-bit values.
    mutating func readUInt32Array(count: Int, in section: String) throws -> [UInt32] {
        guard count >= 0, count <= remaining / 4 else { throw E5ModelError.truncated(section: section) }
        let start = offset
        offset += count * 4
        return (0..<count).map {
            UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: start + $0 * 4, as: UInt32.self))
        }
    }
}
