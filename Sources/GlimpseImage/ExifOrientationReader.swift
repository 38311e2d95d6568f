/// Finds the EXIF orientation in a JPEG (APP1 "Exif"), PNG (eXIf chunk) or WebP (EXIF chunk) without decoding
/// pixels, with PIL's fallback to an XMP `tiff:Orientation` when EXIF has none. Every read is bounds-checked;
/// malformed metadata means "no orientation", never an error, as in PIL.
enum ExifOrientationReader {
    static func orientation(in bytes: UnsafeRawBufferPointer, format: ImageFormat) -> ExifOrientation {
        var exif: UnsafeRawBufferPointer?
        var xmp: UnsafeRawBufferPointer?
        switch format {
        case .jpeg: (exif, xmp) = jpegMetadata(bytes)
        case .png: exif = pngExif(bytes)
        case .webp: (exif, xmp) = webpMetadata(bytes)
        // HEIF records orientation in the container (irot/imir), which libheif applies while decoding; its EXIF
        // orientation describes the same turn and must not be applied a second time (pillow-heif does the same).
        case .heif, .avif: return .up
        }
        if let exif, let value = TIFFOrientation.read(stripExifHeader(exif)) {
            return ExifOrientation(rawValue: value) ?? .up
        }
        if let xmp, let value = xmpOrientation(xmp) { return ExifOrientation(rawValue: value) ?? .up }
        return .up
    }

    /// The TIFF data of the EXIF block of a JPEG, PNG or WebP, nil when there is none (HEIF's comes from libheif).
    static func exifTIFF(in bytes: UnsafeRawBufferPointer, format: ImageFormat) -> UnsafeRawBufferPointer? {
        let exif: UnsafeRawBufferPointer?
        switch format {
        case .jpeg: exif = jpegMetadata(bytes).0
        case .png: exif = pngExif(bytes)
        case .webp: exif = webpMetadata(bytes).0
        case .heif, .avif: exif = nil
        }
        return exif.map(stripExifHeader)
    }

    private static func stripExifHeader(_ bytes: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        let header: [UInt8] = Array("Exif\0\0".utf8)
        if bytes.count >= 6 && (0..<6).allSatisfy({ bytes[$0] == header[$0] }) {
            return UnsafeRawBufferPointer(rebasing: bytes[6...])
        }
        return bytes
    }

    /// The first APP1 "Exif" and APP1 XMP payloads before the first scan.
    private static func jpegMetadata(_ b: UnsafeRawBufferPointer) -> (UnsafeRawBufferPointer?, UnsafeRawBufferPointer?)
    {
        var exif: UnsafeRawBufferPointer?
        var xmp: UnsafeRawBufferPointer?
        let xmpHeader = Array("http://ns.adobe.com/xap/1.0/\0".utf8)
        var i = 2  // after SOI
        while i + 4 <= b.count {
            guard b[i] == 0xFF else { return (exif, xmp) }
            let marker = b[i + 1]
            if marker == 0xFF {
                i += 1
                continue
            }  // fill byte
            if marker == 0x01 || (0xD0...0xD7).contains(marker) {
                i += 2
                continue
            }  // no length
            if marker == 0xDA || marker == 0xD9 { break }  // start of scan / end of image
            let length = Int(b[i + 2]) << 8 | Int(b[i + 3])
            guard length >= 2, i + 2 + length <= b.count else { break }
            let payload = UnsafeRawBufferPointer(rebasing: b[(i + 4)..<(i + 2 + length)])
            if marker == 0xE1 {
                if exif == nil, payload.starts(with: Array("Exif\0\0".utf8)) {
                    exif = payload
                } else if xmp == nil, payload.starts(with: xmpHeader) {
                    xmp = UnsafeRawBufferPointer(rebasing: payload[xmpHeader.count...])
                }
            }
            i += 2 + length
        }
        return (exif, xmp)
    }

    /// The eXIf chunk's data (PIL reads it wherever it is, also after the image data).
    private static func pngExif(_ b: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer? {
        var i = 8
        while i + 12 <= b.count {
            let length = Int(b[i]) << 24 | Int(b[i + 1]) << 16 | Int(b[i + 2]) << 8 | Int(b[i + 3])
            guard length <= b.count - i - 12 else { return nil }
            let type = String(decoding: UnsafeRawBufferPointer(rebasing: b[(i + 4)..<(i + 8)]), as: UTF8.self)
            if type == "eXIf" { return UnsafeRawBufferPointer(rebasing: b[(i + 8)..<(i + 8 + length)]) }
            if type == "IEND" { return nil }
            i += 12 + length
        }
        return nil
    }

    /// The EXIF and "XMP " chunks of an extended (VP8X) WebP.
    private static func webpMetadata(_ b: UnsafeRawBufferPointer) -> (UnsafeRawBufferPointer?, UnsafeRawBufferPointer?)
    {
        var exif: UnsafeRawBufferPointer?
        var xmp: UnsafeRawBufferPointer?
        var i = 12
        while i + 8 <= b.count {
            let length = Int(b[i + 4]) | Int(b[i + 5]) << 8 | Int(b[i + 6]) << 16 | Int(b[i + 7]) << 24
            guard length <= b.count - i - 8 else { break }
            let type = String(decoding: UnsafeRawBufferPointer(rebasing: b[i..<(i + 4)]), as: UTF8.self)
            let data = UnsafeRawBufferPointer(rebasing: b[(i + 8)..<(i + 8 + length)])
            if type == "EXIF" { exif = data }
            if type == "XMP " { xmp = data }
            i += 8 + length + (length & 1)
        }
        return (exif, xmp)
    }

    /// PIL's pattern `tiff:Orientation(="|>)([0-9])`.
    private static func xmpOrientation(_ b: UnsafeRawBufferPointer) -> Int? {
        let needle = Array("tiff:Orientation".utf8)
        guard b.count > needle.count + 1 else { return nil }
        for start in 0..<(b.count - needle.count - 1) where b[start] == needle[0] {
            guard (0..<needle.count).allSatisfy({ b[start + $0] == needle[$0] }) else { continue }
            var j = start + needle.count
            if b[j] == UInt8(ascii: "=") && j + 1 < b.count && b[j + 1] == UInt8(ascii: "\"") {
                j += 2
            } else if b[j] == UInt8(ascii: ">") {
                j += 1
            } else {
                continue
            }
            if j < b.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b[j]) {
                return Int(b[j] - UInt8(ascii: "0"))
            }
        }
        return nil
    }
}

/// A minimal TIFF reader: the Orientation entry of IFD0, nothing else.
enum TIFFOrientation {
    static func read(_ tiff: UnsafeRawBufferPointer) -> Int? {
        guard let block = TIFFBlock(tiff), let ifd = block.firstIFD,
            let (type, count, at) = block.entry(0x0112, in: ifd), count >= 1
        else { return nil }
        switch type {
        case 3: return block.u16(at)  // SHORT, stored in the value field
        case 4: return block.u32(at)  // LONG
        default: return nil
        }
    }
}
