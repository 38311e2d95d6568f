import CFaissShim
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// One record of a snapshot's segment file (`<snapshot>.segments`), appended after the base snapshot.
/// All integers are little-endian.
///
///     offset  size  field
///          0     8  magic "GLMPSEG1"
///          8     4  CRC-32 of the base snapshot file these segments follow
///         12     4  reserved (0)
///         16     8  watermark (highest catalog vector id the index holds after this segment)
///         24     8  payload byte count p
///         32     p  the shim's delta (new vectors, ids, levels and links; changed link lists)
///       32+p     4  CRC-32 of every preceding byte of this record
struct SnapshotSegment {
    static let magic: [UInt8] = Array("GLMPSEG1".utf8)
    static let headerSize = 32

    let watermark: Int64
    let payload: UnsafeRawBufferPointer
    /// Offset just past this record.
    let end: Int

    static func url(for snapshot: URL) -> URL {
        snapshot.deletingLastPathComponent().appendingPathComponent(snapshot.lastPathComponent + ".segments")
    }

    /// The record at `offset`, or nil when it is torn, corrupt or belongs to another base.
    static func parse(_ file: UnsafeRawBufferPointer, at offset: Int, baseChecksum: UInt32) -> SnapshotSegment? {
        guard file.count - offset >= headerSize + 4, Array(file[offset..<offset + 8]) == magic else { return nil }
        func u32(_ at: Int) -> UInt32 {
            UInt32(littleEndian: file.loadUnaligned(fromByteOffset: offset + at, as: UInt32.self))
        }
        func u64(_ at: Int) -> UInt64 {
            UInt64(littleEndian: file.loadUnaligned(fromByteOffset: offset + at, as: UInt64.self))
        }
        guard u32(8) == baseChecksum else { return nil }
        let length = u64(24)
        guard length <= UInt64(file.count - offset - headerSize - 4) else { return nil }
        let payloadStart = offset + headerSize
        let crcAt = payloadStart + Int(length)
        let stored = UInt32(littleEndian: file.loadUnaligned(fromByteOffset: crcAt, as: UInt32.self))
        let computed = glimpse_crc32(
            0, file.baseAddress.map { ($0 + offset).assumingMemoryBound(to: UInt8.self) }, UInt64(crcAt - offset))
        guard stored == computed else { return nil }
        return SnapshotSegment(
            watermark: Int64(bitPattern: u64(16)),
            payload: UnsafeRawBufferPointer(rebasing: file[payloadStart..<crcAt]),
            end: crcAt + 4)
    }

    /// Appends one record to `url` and syncs it; returns its size. `expectedSize` is what the file must hold
    /// now (the valid segments so far): anything else means bytes this index did not write.
    static func append(
        _ payload: UnsafeRawBufferPointer, watermark: Int64, baseChecksum: UInt32, to url: URL, expectedSize: Int
    ) throws -> Int {
        var record = magic
        record.append(littleEndian: baseChecksum)
        record.append(littleEndian: UInt32(0))
        record.append(littleEndian: UInt64(bitPattern: watermark))
        record.append(littleEndian: UInt64(payload.count))
        record.append(contentsOf: payload)
        let crc = record.withUnsafeBytes {
            glimpse_crc32(0, $0.baseAddress?.assumingMemoryBound(to: UInt8.self), UInt64($0.count))
        }
        record.append(littleEndian: crc)

        let created = !FileManager.default.fileExists(atPath: url.path)
        let fd = open(url.path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw failure("cannot open \(url.path)") }
        defer { close(fd) }
        let size = lseek(fd, 0, SEEK_END)
        guard size == off_t(expectedSize) else {
            throw HNSWIndexError.io("\(url.path) holds \(size) bytes, expected \(expectedSize)")
        }
        try record.withUnsafeBytes { bytes in
            var cursor = 0
            while cursor < bytes.count {
                let written = Glibc.write(fd, bytes.baseAddress! + cursor, bytes.count - cursor)
                if written < 0 {
                    if errno == EINTR { continue }
                    throw failure("writing \(url.path) failed")
                }
                cursor += written
            }
        }
        guard fsync(fd) == 0 else { throw failure("fsync of \(url.path) failed") }
        if created {
            let directory = open(url.deletingLastPathComponent().path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            if directory >= 0 {
                defer { close(directory) }
                guard fsync(directory) == 0 else { throw failure("fsync of the snapshot directory failed") }
            }
        }
        return record.count
    }

    private static func failure(_ what: String) -> HNSWIndexError {
        .io("\(what): \(String(cString: strerror(errno)))")
    }
}
