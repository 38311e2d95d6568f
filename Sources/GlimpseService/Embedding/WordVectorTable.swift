import Crypto
import Foundation
import GlimpseEmbedding

/// Query-role vectors of the dictionary words alignment can need, precomputed at install time
/// (`glimpsed --build-word-table`) and memory-mapped by the daemon, so an aligned query embeds its own text and
/// finds its candidates' and translations' vectors here instead of in extra forward passes.
///
/// File layout (little-endian; docs/cross-lingual.md "Word-vector table"):
///
///     0   magic "GLWVTAB\0"            8 bytes
///     8   version (1)                  UInt32
///     12  dimension                    UInt32
///     16  count                        UInt32
///     20  encoding (1 = float16)       UInt32
///     24  key bytes                    UInt64
///     32  space name length            UInt32
///     36  model fingerprint length     UInt32
///     40  dictionary checksum length   UInt32
///     44  reserved (0)                 UInt32
///     48  space name, fingerprint, checksum (UTF-8), zero-padded to a multiple of 16
///     …   count entries of 16 bytes: FNV-1a 64 hash of the key, key offset (UInt32), key length (UInt32),
///         sorted by hash, then by key bytes
///     …   count × dimension float16 vectors, in entry order
///     …   the keys' UTF-8 bytes
///
/// The file size must be exactly what the header implies, so a truncated file is refused at open; every entry's
/// key range is checked at open, so a corrupt file is refused rather than read out of bounds.
public final class WordVectorTable: Sendable {
    public struct Header: Sendable, Equatable {
        public var spaceName: String
        public var dimension: Int
        public var count: Int
        public var modelFingerprint: String
        public var dictionaryChecksum: String
    }

    public static let magic: [UInt8] = Array("GLWVTAB\0".utf8)
    public static let version: UInt32 = 1
    static let float16Encoding: UInt32 = 1
    static let fixedHeaderBytes = 48
    static let entryBytes = 16

    public let header: Header
    /// The whole file, mapped (`Data(contentsOf:options: .alwaysMapped)`): pages are read on first use and belong to
    /// the page cache, so the table costs no anonymous memory.
    private let data: Data
    private let entriesOffset: Int
    private let vectorsOffset: Int
    private let keysOffset: Int
    private let keyBytes: Int

    /// Maps and checks a table file. Errors name the file and what is wrong with it.
    public init(contentsOf url: URL) throws(WordVectorTableError) {
        let data: Data
        do {
            data = try Data(contentsOf: url, options: .alwaysMapped)
        } catch {
            throw WordVectorTableError(path: url.path, reason: "unreadable: \(error.localizedDescription)")
        }
        func fail(_ reason: String) -> WordVectorTableError { WordVectorTableError(path: url.path, reason: reason) }
        guard data.count >= Self.fixedHeaderBytes else { throw fail("shorter than its header (\(data.count) bytes)") }
        let fields = data.withUnsafeBytes { raw -> (magic: [UInt8], values: [UInt32], keyBytes: UInt64) in
            (
                Array(raw[0..<8]),
                stride(from: 8, to: 48, by: 4).filter { $0 != 24 && $0 != 28 }.map {
                    UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0, as: UInt32.self))
                },
                UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 24, as: UInt64.self))
            )
        }
        guard fields.magic == Self.magic else { throw fail("not a word-vector table (bad magic)") }
        let (version, dimension, count, encoding) = (
            fields.values[0], fields.values[1], fields.values[2], fields.values[3]
        )
        let (spaceLength, fingerprintLength, checksumLength) = (
            Int(fields.values[4]), Int(fields.values[5]), Int(fields.values[6])
        )
        guard version == Self.version else { throw fail("version \(version), this glimpsed reads \(Self.version)") }
        guard encoding == Self.float16Encoding else { throw fail("unknown vector encoding \(encoding)") }
        guard (1...16_384).contains(dimension) else { throw fail("implausible dimension \(dimension)") }
        guard spaceLength <= 4096, fingerprintLength <= 4096, checksumLength <= 4096, fields.keyBytes < 1 << 40 else {
            throw fail("implausible header lengths")
        }
        let metaEnd = Self.padded(Self.fixedHeaderBytes + spaceLength + fingerprintLength + checksumLength)
        let entriesOffset = metaEnd
        let vectorsOffset = entriesOffset + Int(count) * Self.entryBytes
        let keysOffset = vectorsOffset + Int(count) * Int(dimension) * 2
        let expected = keysOffset + Int(fields.keyBytes)
        guard data.count == expected else {
            throw fail("\(data.count) bytes where the header implies \(expected) (truncated or corrupt)")
        }
        func string(_ offset: Int, _ length: Int) -> String? {
            String(bytes: data[data.startIndex + offset..<data.startIndex + offset + length], encoding: .utf8)
        }
        guard let space = string(Self.fixedHeaderBytes, spaceLength),
            let fingerprint = string(Self.fixedHeaderBytes + spaceLength, fingerprintLength),
            let checksum = string(Self.fixedHeaderBytes + spaceLength + fingerprintLength, checksumLength)
        else { throw fail("header strings are not UTF-8") }
        // Every entry in bounds and the hashes in order: lookups may then trust them. 16 bytes per entry are read
        // once (about 1 MB for 60,000 words); the vectors are not touched until asked for.
        let keyBytes = Int(fields.keyBytes)
        let sound = data.withUnsafeBytes { raw -> Bool in
            var previous: UInt64 = 0
            for index in 0..<Int(count) {
                let base = entriesOffset + index * Self.entryBytes
                let hash = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: base, as: UInt64.self))
                let offset = Int(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: base + 8, as: UInt32.self)))
                let length = Int(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: base + 12, as: UInt32.self)))
                guard hash >= previous, offset + length <= keyBytes else { return false }
                previous = hash
            }
            return true
        }
        guard sound else { throw fail("an entry is out of order or points outside the keys (corrupt)") }
        self.header = Header(
            spaceName: space, dimension: Int(dimension), count: Int(count), modelFingerprint: fingerprint,
            dictionaryChecksum: checksum)
        self.data = data
        self.entriesOffset = entriesOffset
        self.vectorsOffset = vectorsOffset
        self.keysOffset = keysOffset
        self.keyBytes = keyBytes
    }

    /// The text's stored query vector (unit length), or nil when the table lacks it.
    public func vector(for text: String) -> [Float]? {
        let key = Array(text.utf8)
        let hash = Self.hash(key)
        return data.withUnsafeBytes { raw -> [Float]? in
            func entryHash(_ index: Int) -> UInt64 {
                UInt64(
                    littleEndian: raw.loadUnaligned(
                        fromByteOffset: entriesOffset + index * Self.entryBytes, as: UInt64.self))
            }
            // The first entry with this hash, then each entry sharing it (collisions are rare but allowed).
            var low = 0
            var high = header.count
            while low < high {
                let middle = (low + high) / 2
                if entryHash(middle) < hash { low = middle + 1 } else { high = middle }
            }
            var index = low
            while index < header.count, entryHash(index) == hash {
                let base = entriesOffset + index * Self.entryBytes
                let offset = Int(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: base + 8, as: UInt32.self)))
                let length = Int(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: base + 12, as: UInt32.self)))
                if length == key.count,
                    length == 0
                        || key.withUnsafeBytes({
                            memcmp($0.baseAddress!, raw.baseAddress! + keysOffset + offset, length) == 0
                        })
                {
                    return decode(raw, entry: index)
                }
                index += 1
            }
            return nil
        }
    }

    private func decode(_ raw: UnsafeRawBufferPointer, entry: Int) -> [Float]? {
        let dimension = header.dimension
        let start = vectorsOffset + entry * dimension * 2
        var vector = [Float](repeating: 0, count: dimension)
        var norm: Float = 0
        for position in 0..<dimension {
            let bits = UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: start + 2 * position, as: UInt16.self))
            let value = Float(Float16(bitPattern: bits))
            vector[position] = value
            norm += value * value
        }
        // A corrupt vector is a miss (the embedder is asked instead), never a NaN score.
        guard norm.isFinite, norm > 0 else { return nil }
        let scale = 1 / norm.squareRoot()
        for position in 0..<dimension { vector[position] *= scale }
        return vector
    }

    static func padded(_ bytes: Int) -> Int { (bytes + 15) / 16 * 16 }

    /// FNV-1a, 64 bits: tiny, and stable across runs and machines (Swift's `Hasher` is seeded per process).
    static func hash(_ bytes: [UInt8]) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return hash
    }

    /// Writes a table atomically (a temporary file beside it, then a rename), so a daemon never maps half a file.
    public static func write(
        _ vectors: [String: [Float]], header: Header, to url: URL
    ) throws {
        let keys = vectors.keys.map { (key: $0, bytes: Array($0.utf8)) }.sorted {
            let (left, right) = (hash($0.bytes), hash($1.bytes))
            return left != right ? left < right : $0.bytes.lexicographicallyPrecedes($1.bytes)
        }
        var out = Data()
        func append<T: FixedWidthInteger>(_ value: T) {
            withUnsafeBytes(of: value.littleEndian) { out.append(contentsOf: $0) }
        }
        let (space, fingerprint, checksum) = (
            Array(header.spaceName.utf8), Array(header.modelFingerprint.utf8), Array(header.dictionaryChecksum.utf8)
        )
        var keyBlob: [UInt8] = []
        for entry in keys { keyBlob += entry.bytes }
        out.append(contentsOf: magic)
        append(version)
        append(UInt32(header.dimension))
        append(UInt32(keys.count))
        append(float16Encoding)
        append(UInt64(keyBlob.count))
        append(UInt32(space.count))
        append(UInt32(fingerprint.count))
        append(UInt32(checksum.count))
        append(UInt32(0))
        out.append(contentsOf: space + fingerprint + checksum)
        out.append(contentsOf: [UInt8](repeating: 0, count: padded(out.count) - out.count))
        var keyOffset = 0
        for entry in keys {
            append(hash(entry.bytes))
            append(UInt32(keyOffset))
            append(UInt32(entry.bytes.count))
            keyOffset += entry.bytes.count
        }
        for entry in keys {
            let vector = vectors[entry.key]!
            precondition(vector.count == header.dimension, "every vector of a table has the table's dimension")
            for value in vector { append(Float16(value).bitPattern) }
        }
        out.append(contentsOf: keyBlob)
        try FileManager.default.createDirectory(
            at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let temporary = url.deletingLastPathComponent().appendingPathComponent(
            ".\(url.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier).tmp")
        try out.write(to: temporary)
        if FileManager.default.fileExists(atPath: url.path) { try FileManager.default.removeItem(at: url) }
        try FileManager.default.moveItem(at: temporary, to: url)
    }

    /// "sha256:…" over the dictionary files alignment loads, in order (a missing one counts as empty), so a table
    /// built from other dictionaries is recognised as stale.
    public static func dictionaryChecksum(paths: [String?]) -> String {
        var hasher = SHA256()
        for path in paths {
            hasher.update(data: Data((path.map { URL(fileURLWithPath: $0).lastPathComponent } ?? "-").utf8))
            if let path, let handle = FileHandle(forReadingAtPath: path) {
                while let block = try? handle.read(upToCount: 1 << 20), !block.isEmpty { hasher.update(data: block) }
                try? handle.close()
            }
            hasher.update(data: Data([0]))
        }
        return "sha256:" + hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }
}

/// A table file that cannot be used, and why.
public struct WordVectorTableError: Error, CustomStringConvertible, Sendable {
    public let path: String
    public let reason: String
    public var description: String { "word-vector table \(path): \(reason)" }
}
