import CFaissShim
import Foundation

extension HNSWIndex {
    /// Writes the index and `watermark` atomically to `url` (see `SnapshotHeader` for the layout).
    /// Searches may continue meanwhile; adds wait until the index has been serialized.
    public func write(to url: URL, watermark: Int64) throws {
        var snapshotPointer: OpaquePointer?
        try shimCall("serializing the index") { glimpse_hnsw_snapshot(handle.pointer, &snapshotPointer, $0) }
        guard let snapshot = snapshotPointer else {
            throw HNSWIndexError.backend("serializing the index returned nothing")
        }
        defer { glimpse_hnsw_snapshot_free(snapshot) }

        var idCount: Int64 = 0
        let ids = glimpse_hnsw_snapshot_ids(snapshot, &idCount)
        var byteCount: UInt64 = 0
        let indexBytes = glimpse_hnsw_snapshot_bytes(snapshot, &byteCount)
        let header = SnapshotHeader(
            dimension: dimension, parameters: parameters, watermark: watermark,
            idCount: Int(idCount), indexByteCount: Int(byteCount))
        // Ids are written in memory order: every platform Swift on Linux targets is little-endian.
        let parts = [
            UnsafeRawBufferPointer(start: ids, count: Int(idCount) * 8),
            UnsafeRawBufferPointer(start: indexBytes, count: Int(byteCount)),
        ]
        let headerBytes = header.encoded()

        try AtomicFileWriter(destination: url).write { append throws in
            var crc: UInt32 = 0
            try headerBytes.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) throws in
                crc = glimpse_crc32(crc, bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), UInt64(bytes.count))
                try append(bytes)
            }
            for part in parts where part.count > 0 {
                crc = glimpse_crc32(crc, part.baseAddress?.assumingMemoryBound(to: UInt8.self), UInt64(part.count))
                try append(part)
            }
            var trailer: [UInt8] = []
            trailer.append(littleEndian: crc)
            try trailer.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) throws in try append(bytes) }
        }
    }

    /// Reads a snapshot written by `write(to:watermark:)`, returning the index and its watermark. Any
    /// truncation, corruption or inconsistency throws `HNSWIndexError.corruptSnapshot`.
    public static func read(from url: URL) throws -> (HNSWIndex, Int64) {
        let data: Data
        do {
            data = try Data(contentsOf: url, options: .alwaysMapped)
        } catch {
            throw HNSWIndexError.io("cannot read \(url.path): \(error.localizedDescription)")
        }
        return try data.withUnsafeBytes { (file: UnsafeRawBufferPointer) throws -> (HNSWIndex, Int64) in
            let header = try SnapshotHeader.decode(file)
            guard let expectedSize = header.fileSize, expectedSize == file.count else {
                throw HNSWIndexError.corruptSnapshot(
                    "file is \(file.count) bytes but its header describes \(header.fileSize.map(String.init) ?? "an impossible size")"
                )
            }
            let body = file.count - SnapshotHeader.checksumSize
            let stored = UInt32(littleEndian: file.loadUnaligned(fromByteOffset: body, as: UInt32.self))
            let computed = glimpse_crc32(0, file.baseAddress?.assumingMemoryBound(to: UInt8.self), UInt64(body))
            guard stored == computed else {
                throw HNSWIndexError.corruptSnapshot("checksum mismatch (stored \(stored), computed \(computed))")
            }

            // The id block is 8-byte aligned in the file only by luck of the mapping; copy it out.
            var ids = [Int64](repeating: 0, count: header.idCount)
            ids.withUnsafeMutableBytes { destination in
                destination.copyMemory(
                    from: UnsafeRawBufferPointer(
                        rebasing: file[SnapshotHeader.size..<SnapshotHeader.size + header.idCount * 8]))
            }
            for i in ids.indices { ids[i] = Int64(littleEndian: ids[i]) }
            let indexStart = SnapshotHeader.size + header.idCount * 8
            let indexBytes = file.baseAddress.map { $0 + indexStart }?.assumingMemoryBound(to: UInt8.self)

            var pointer: OpaquePointer?
            try shimCall("loading the index", corruptAs: { .corruptSnapshot($0) }) { message in
                ids.withUnsafeBufferPointer { idBuffer in
                    glimpse_hnsw_load(
                        indexBytes, UInt64(header.indexByteCount), idBuffer.baseAddress, Int64(ids.count),
                        Int32(header.dimension), Int32(header.parameters.m), Int32(header.parameters.efConstruction),
                        Int32(header.parameters.efSearchMax), &pointer, message)
                }
            }
            guard let pointer else { throw HNSWIndexError.backend("loading the index returned no handle") }
            let index = HNSWIndex(
                dimension: header.dimension, parameters: header.parameters, handle: ShimHandle(pointer: pointer))
            return (index, header.watermark)
        }
    }
}
