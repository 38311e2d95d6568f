import Foundation

/// Builds and edits image bytes in memory for tests: PNGs from raw samples (stored, uncompressed deflate blocks, so
/// no zlib is needed), JPEG segment and WebP chunk splicing, and byte damage.
enum TestImageBytes {
    // MARK: PNG

    static func crc32(_ bytes: some Sequence<UInt8>) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }

    static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }

    static func pngChunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let body = Array(type.utf8) + data
        return bigEndian(UInt32(data.count)) + body + bigEndian(crc32(body))
    }

    /// A zlib stream of stored blocks.
    static func zlibStored(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x78, 0x01]
        var offset = 0
        repeat {
            let n = min(65_535, data.count - offset)
            let final: UInt8 = offset + n == data.count ? 1 : 0
            out += [final, UInt8(n & 0xFF), UInt8(n >> 8), UInt8(~n & 0xFF), UInt8((~n >> 8) & 0xFF)]
            out += data[offset..<(offset + n)]
            offset += n
        } while offset < data.count
        var a: UInt32 = 1
        var b: UInt32 = 0
        for byte in data {
            a = (a + UInt32(byte)) % 65_521
            b = (b + a) % 65_521
        }
        return out + bigEndian(b << 16 | a)
    }

    static let pngSignature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    static func ihdr(width: Int, height: Int, bitDepth: UInt8, colourType: UInt8) -> [UInt8] {
        pngChunk("IHDR", bigEndian(UInt32(width)) + bigEndian(UInt32(height)) + [bitDepth, colourType, 0, 0, 0])
    }

    /// A PNG whose rows (`rowBytes` each, filter type 0 prepended here) are given raw.
    static func png(
        width: Int, height: Int, bitDepth: UInt8, colourType: UInt8, rows: [[UInt8]],
        extraChunks: [[UInt8]] = []
    ) -> Data {
        let raw: [UInt8] = rows.flatMap { row -> [UInt8] in [0] + row }
        var bytes = pngSignature + ihdr(width: width, height: height, bitDepth: bitDepth, colourType: colourType)
        for chunk in extraChunks { bytes += chunk }
        bytes += pngChunk("IDAT", zlibStored(raw)) + pngChunk("IEND", [])
        return Data(bytes)
    }

    // MARK: EXIF

    /// A TIFF structure with one IFD0 entry: Orientation (SHORT).
    static func tiffWithOrientation(_ value: Int, bigEndian: Bool = false) -> [UInt8] {
        func u16(_ v: Int) -> [UInt8] {
            bigEndian ? [UInt8(v >> 8), UInt8(v & 0xFF)] : [UInt8(v & 0xFF), UInt8(v >> 8)]
        }
        func u32(_ v: Int) -> [UInt8] { bigEndian ? u16(v >> 16) + u16(v & 0xFFFF) : u16(v & 0xFFFF) + u16(v >> 16) }
        return (bigEndian ? Array("MM".utf8) : Array("II".utf8)) + u16(42) + u32(8)
            + u16(1) + u16(0x0112) + u16(3) + u32(1) + u16(value) + u16(0) + u32(0)
    }

    /// The JPEG with an APP1 Exif segment carrying `tiff` inserted right after SOI.
    static func jpeg(_ jpeg: Data, withExif tiff: [UInt8]) -> Data {
        let payload = Array("Exif\0\0".utf8) + tiff
        let length = payload.count + 2
        var bytes = [UInt8](jpeg)
        bytes.insert(contentsOf: [0xFF, 0xE1, UInt8(length >> 8), UInt8(length & 0xFF)] + payload, at: 2)
        return Data(bytes)
    }

    /// A simple (VP8/VP8L) WebP re-wrapped as extended (VP8X) WebP with an EXIF chunk after the image.
    static func webp(_ webp: Data, withExif tiff: [UInt8], width: Int, height: Int) -> Data {
        func le32(_ v: Int) -> [UInt8] {
            [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 24 & 0xFF)]
        }
        func le24(_ v: Int) -> [UInt8] { Array(le32(v).prefix(3)) }
        let image = [UInt8](webp.dropFirst(12))
        let vp8x = Array("VP8X".utf8) + le32(10) + [0x08, 0, 0, 0] + le24(width - 1) + le24(height - 1)
        var exif = Array("EXIF".utf8) + le32(tiff.count) + tiff
        if tiff.count % 2 == 1 { exif.append(0) }
        let body = Array("WEBP".utf8) + vp8x + image + exif
        return Data(Array("RIFF".utf8) + le32(body.count) + body)
    }
}
