/// A bounds-checked view of a TIFF block (an EXIF payload): its byte order, integer reads and IFD entry lookup.
/// Every read answers nil past the end, so a malformed block reads as absent, never as a crash.
struct TIFFBlock {
    let bytes: UnsafeRawBufferPointer
    let littleEndian: Bool

    /// Nil unless the block starts with a byte-order mark ("II" or "MM") and the TIFF magic 42.
    init?(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count >= 8 else { return nil }
        switch (bytes[0], bytes[1]) {
        case (0x49, 0x49): littleEndian = true
        case (0x4D, 0x4D): littleEndian = false
        default: return nil
        }
        self.bytes = bytes
        guard u16(2) == 42 else { return nil }
    }

    /// The offset of IFD0.
    var firstIFD: Int? { u32(4) }

    func u16(_ at: Int) -> Int? {
        guard at >= 0, at + 2 <= bytes.count else { return nil }
        return littleEndian
            ? Int(bytes[at]) | Int(bytes[at + 1]) << 8 : Int(bytes[at]) << 8 | Int(bytes[at + 1])
    }

    func u32(_ at: Int) -> Int? {
        guard let a = u16(at), let b = u16(at + 2) else { return nil }
        return littleEndian ? a | b << 16 : a << 16 | b
    }

    /// The entry of `tag` in the IFD at `ifd`: its type, count and the offset of its value field (the value itself
    /// when it fits in 4 bytes, else a pointer to it).
    func entry(_ tag: Int, in ifd: Int) -> (type: Int, count: Int, at: Int)? {
        guard let entries = u16(ifd) else { return nil }
        for index in 0..<entries {
            let at = ifd + 2 + index * 12
            guard let found = u16(at), let type = u16(at + 2), let count = u32(at + 4) else { return nil }
            if found == tag { return (type, count, at + 8) }
        }
        return nil
    }
}
