import CFaissShim
import Foundation

/// What one read of a snapshot found.
public struct SnapshotLoad {
    public let index: HNSWIndex
    /// Highest catalog vector id the loaded index holds: the base's, or the last applied segment's.
    public let watermark: Int64
    public let segmentsApplied: Int
    /// Bytes at the end of the segment file that were torn, corrupt or left from an older base, and ignored.
    /// The catalog replay after `watermark` re-adds what they held; the next write starts a fresh base.
    public let discardedSegmentBytes: Int
}

extension HNSWIndex {
    /// Persists the index with `watermark` so that snapshot I/O grows with what changed: the first write (and
    /// any write once the appended segments reach half the base's size) writes the whole index atomically to
    /// `url`; later writes append one segment (`SnapshotSegment`) with the vectors added and the links changed
    /// since the previous write to `url` + ".segments". Searches may continue meanwhile; adds wait until the
    /// changes have been serialized.
    public func write(to url: URL, watermark: Int64) throws {
        try persistence.withLock { state in
            // An sq8 index whose ranges were trained after its last full snapshot needs a full one.
            if incrementalSnapshots, state.canAppend(to: url), glimpse_hnsw_can_take_delta(handle.pointer) != 0 {
                do {
                    state.segmentBytes += try appendSegment(
                        to: SnapshotSegment.url(for: url), state: state, watermark: watermark)
                    return
                } catch {
                    // The delta taken may be lost: only a full snapshot is sure to cover it.
                    state.needsBase = true
                    throw error
                }
            }
            do {
                let (checksum, size) = try writeBase(to: url, watermark: watermark)
                // A crash before this leaves segments of the old base behind; their base checksum no longer
                // matches, so a reload ignores them.
                try? FileManager.default.removeItem(at: SnapshotSegment.url(for: url))
                state = SnapshotPersistence(baseURL: url.standardizedFileURL, baseChecksum: checksum, baseBytes: size)
            } catch {
                state.needsBase = true
                throw error
            }
        }
    }

    /// Reads a snapshot written by `write(to:watermark:)`, returning the index and its watermark. Any
    /// truncation, corruption or inconsistency of the base throws `HNSWIndexError.corruptSnapshot`; a damaged
    /// segment only ends the segments applied (see `load(from:)`).
    /// With `vectorEncoding`, a snapshot holding the other encoding throws `corruptSnapshot` naming both.
    public static func read(
        from url: URL, vectorEncoding: HNSWParameters.VectorEncoding? = nil
    ) throws -> (HNSWIndex, Int64) {
        let load = try load(from: url, vectorEncoding: vectorEncoding)
        return (load.index, load.watermark)
    }

    /// Reads the base snapshot, then applies its segments in order up to the first one that is torn, corrupt or
    /// not of this base.
    public static func load(
        from url: URL, vectorEncoding: HNSWParameters.VectorEncoding? = nil
    ) throws -> SnapshotLoad {
        let (index, baseWatermark, checksum, size) = try readBase(from: url, vectorEncoding: vectorEncoding)
        var watermark = baseWatermark
        var applied = 0
        var validBytes = 0
        var fileBytes = 0
        let segmentsURL = SnapshotSegment.url(for: url)
        if let data = try? Data(contentsOf: segmentsURL, options: .alwaysMapped) {
            fileBytes = data.count
            try data.withUnsafeBytes { (file: UnsafeRawBufferPointer) throws in
                while let segment = SnapshotSegment.parse(file, at: validBytes, baseChecksum: checksum) {
                    do {
                        try shimCall("applying a snapshot segment", corruptAs: { .corruptSnapshot($0) }) { message in
                            glimpse_hnsw_apply_delta(
                                index.handle.pointer, segment.payload.baseAddress?.assumingMemoryBound(to: UInt8.self),
                                UInt64(segment.payload.count), message)
                        }
                    } catch HNSWIndexError.corruptSnapshot {
                        break
                    }
                    watermark = segment.watermark
                    applied += 1
                    validBytes = segment.end
                }
            }
        }
        index.persistence.withLock { state in
            state = SnapshotPersistence(baseURL: url.standardizedFileURL, baseChecksum: checksum, baseBytes: size)
            state.segmentBytes = validBytes
            // Appending after ignored bytes would hide the new segments behind them.
            state.needsBase = validBytes != fileBytes
        }
        return SnapshotLoad(
            index: index, watermark: watermark, segmentsApplied: applied, discardedSegmentBytes: fileBytes - validBytes)
    }

    /// Appends the changes since the last write as one segment; returns the bytes appended.
    private func appendSegment(to url: URL, state: SnapshotPersistence, watermark: Int64) throws -> Int {
        var deltaPointer: OpaquePointer?
        try shimCall("collecting the changes since the last snapshot") {
            glimpse_hnsw_take_delta(handle.pointer, &deltaPointer, $0)
        }
        guard let delta = deltaPointer else { throw HNSWIndexError.backend("collecting changes returned nothing") }
        defer { glimpse_hnsw_delta_free(delta) }
        var length: UInt64 = 0
        let bytes = glimpse_hnsw_delta_bytes(delta, &length)
        let payload = UnsafeRawBufferPointer(start: bytes, count: Int(length))
        return try SnapshotSegment.append(
            payload, watermark: watermark, baseChecksum: state.baseChecksum, to: url, expectedSize: state.segmentBytes)
    }

    /// Writes the whole index atomically to `url`; returns the file's checksum and size.
    private func writeBase(to url: URL, watermark: Int64) throws -> (UInt32, Int) {
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

        var crc: UInt32 = 0
        try AtomicFileWriter(destination: url).write { append throws in
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
        return (crc, header.fileSize ?? 0)
    }

    private static func readBase(
        from url: URL, vectorEncoding: HNSWParameters.VectorEncoding?
    ) throws -> (HNSWIndex, Int64, UInt32, Int) {
        let data: Data
        do {
            data = try Data(contentsOf: url, options: .alwaysMapped)
        } catch {
            throw HNSWIndexError.io("cannot read \(url.path): \(error.localizedDescription)")
        }
        return try data.withUnsafeBytes { (file: UnsafeRawBufferPointer) throws -> (HNSWIndex, Int64, UInt32, Int) in
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
                        Int32(header.parameters.efSearchMax), vectorEncoding?.shimValue ?? -1, &pointer, message)
                }
            }
            guard let pointer else { throw HNSWIndexError.backend("loading the index returned no handle") }
            let index = HNSWIndex(
                dimension: header.dimension, parameters: header.parameters, handle: ShimHandle(pointer: pointer))
            return (index, header.watermark, stored, file.count)
        }
    }
}

/// Where an index's snapshot stands on disk, so the next write knows whether it may append.
struct SnapshotPersistence {
    var baseURL: URL?
    var baseChecksum: UInt32 = 0
    var baseBytes = 0
    /// Bytes of valid segments after the base (what the segment file must hold for an append to follow them).
    var segmentBytes = 0
    /// Set after a failed write (its changes may be lost) or a load that ignored segment bytes.
    var needsBase = false

    init() { needsBase = true }

    init(baseURL: URL, baseChecksum: UInt32, baseBytes: Int) {
        self.baseURL = baseURL
        self.baseChecksum = baseChecksum
        self.baseBytes = baseBytes
    }

    /// Appending is allowed while the base on disk is still the one this index wrote or read, and the segments
    /// are under half its size (beyond that a reload would spend longer replaying them than reading a base).
    func canAppend(to url: URL) -> Bool {
        guard !needsBase, baseURL == url.standardizedFileURL, segmentBytes < baseBytes / 2 else { return false }
        guard let handle = try? FileHandle(forReadingFrom: url) else { return false }
        defer { try? handle.close() }
        guard let end = try? handle.seekToEnd(), Int(end) == baseBytes, end >= 4 else { return false }
        try? handle.seek(toOffset: end - 4)
        guard let trailer = try? handle.read(upToCount: 4), trailer.count == 4 else { return false }
        let stored = trailer.withUnsafeBytes { UInt32(littleEndian: $0.loadUnaligned(as: UInt32.self)) }
        return stored == baseChecksum
    }
}
