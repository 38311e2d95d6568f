/// The fixed-size start of a snapshot file. All integers are little-endian.
///
///     offset  size  field
///          0     8  magic "GLMPHNSW"
///          8     4  format version (1)
///         12     4  dimension
///         16     4  M
///         20     4  efConstruction
///         24     4  efSearchDefault
///         28     4  efSearchMax
///         32     8  watermark (highest catalog vector id in the index)
///         40     8  id count n
///         48     8  FAISS index byte count b
///         56   8·n  catalog ids, in FAISS label order
///     56+8n      b  faiss::write_index bytes
///   56+8n+b      4  CRC-32 of every preceding byte
struct SnapshotHeader: Equatable {
    static let magic: [UInt8] = Array("GLMPHNSW".utf8)
    static let version: UInt32 = 1
    static let size = 56
    static let checksumSize = 4

    var dimension: Int
    var parameters: HNSWParameters
    var watermark: Int64
    var idCount: Int
    var indexByteCount: Int

    /// Total file size this header implies, or nil if it overflows.
    var fileSize: Int? {
        let (idBytes, o1) = idCount.multipliedReportingOverflow(by: 8)
        let (a, o2) = (Self.size + Self.checksumSize).addingReportingOverflow(idBytes)
        let (total, o3) = a.addingReportingOverflow(indexByteCount)
        return o1 || o2 || o3 ? nil : total
    }

    func encoded() -> [UInt8] {
        var bytes = Self.magic
        bytes.reserveCapacity(Self.size)
        for value in [
            Self.version, UInt32(dimension), UInt32(parameters.m), UInt32(parameters.efConstruction),
            UInt32(parameters.efSearchDefault), UInt32(parameters.efSearchMax),
        ] {
            bytes.append(littleEndian: value)
        }
        bytes.append(littleEndian: UInt64(bitPattern: watermark))
        bytes.append(littleEndian: UInt64(idCount))
        bytes.append(littleEndian: UInt64(indexByteCount))
        return bytes
    }

    /// Parses and sanity-checks a header; `bytes` must hold at least `size` bytes.
    static func decode(_ bytes: UnsafeRawBufferPointer) throws -> SnapshotHeader {
        guard bytes.count >= size else {
            throw HNSWIndexError.corruptSnapshot("file is \(bytes.count) bytes, shorter than the \(size)-byte header")
        }
        guard Array(bytes[0..<8]) == magic else {
            throw HNSWIndexError.corruptSnapshot("not a Glimpse HNSW snapshot (bad magic)")
        }
        func u32(_ offset: Int) -> UInt32 {
            UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
        }
        func u64(_ offset: Int) -> UInt64 {
            UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
        }
        let version = u32(8)
        guard version == Self.version else {
            throw HNSWIndexError.corruptSnapshot("unsupported snapshot version \(version) (expected \(Self.version))")
        }
        guard u64(40) <= UInt64(Int32.max), u64(48) <= UInt64(Int.max / 2) else {
            throw HNSWIndexError.corruptSnapshot("header sizes are implausible")
        }
        let header = SnapshotHeader(
            dimension: Int(u32(12)),
            parameters: HNSWParameters(
                m: Int(u32(16)), efConstruction: Int(u32(20)), efSearchDefault: Int(u32(24)), efSearchMax: Int(u32(28))),
            watermark: Int64(bitPattern: u64(32)),
            idCount: Int(u64(40)),
            indexByteCount: Int(u64(48)))
        do {
            try header.parameters.validate()
        } catch {
            throw HNSWIndexError.corruptSnapshot("header holds \(error)")
        }
        guard (1...65_536).contains(header.dimension) else {
            throw HNSWIndexError.corruptSnapshot("header holds dimension \(header.dimension)")
        }
        return header
    }
}

extension Array where Element == UInt8 {
    mutating func append<T: FixedWidthInteger>(littleEndian value: T) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }
}
