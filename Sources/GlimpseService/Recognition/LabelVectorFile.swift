import Crypto
import Foundation

/// The label vectors of one model and vocabulary on disk, so the text tower runs over every prompt once per model
/// rather than at every start. Layout: "GLV1", label count and dimension (UInt32 little-endian), then the vectors
/// as fp32 little-endian, row after row. A file of the wrong size or shape is ignored and recomputed.
enum LabelVectorFile {
    static let magic = Array("GLV1".utf8)

    /// `recognize-<space>-<hash>.f32`: the hash covers the model fingerprint, the vocabulary checksum, the prompt
    /// language and its templates, so any of them changing names another file.
    static func url(
        directory: URL, spaceName: String, modelFingerprint: String, vocabulary: LabelVocabulary,
        language: LabelLanguage
    ) -> URL {
        var hasher = SHA256()
        for part in [modelFingerprint, vocabulary.checksum, language.rawValue] + language.templates {
            hasher.update(data: Data((part + "\u{1F}").utf8))
        }
        let key = hasher.finalize().prefix(12).map { String(format: "%02x", $0) }.joined()
        return directory.appendingPathComponent("recognize-\(spaceName)-\(key).f32")
    }

    static func read(_ url: URL, count: Int, dimension: Int) -> [[Float]]? {
        guard let data = try? Data(contentsOf: url), data.count == 12 + count * dimension * 4,
            Array(data.prefix(4)) == magic
        else { return nil }
        return data.withUnsafeBytes { bytes -> [[Float]]? in
            let storedCount = Int(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 4, as: UInt32.self)))
            let storedDimension = Int(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 8, as: UInt32.self)))
            guard storedCount == count, storedDimension == dimension else { return nil }
            return (0..<count).map { row in
                (0..<dimension).map { column in
                    Float(
                        bitPattern: UInt32(
                            littleEndian: bytes.loadUnaligned(
                                fromByteOffset: 12 + (row * dimension + column) * 4, as: UInt32.self)))
                }
            }
        }
    }

    /// Written to a temporary name and renamed, so a crash never leaves a half file under the real name.
    static func write(_ vectors: [[Float]], to url: URL) throws {
        var data = Data(magic)
        let dimension = vectors.first?.count ?? 0
        withUnsafeBytes(of: UInt32(vectors.count).littleEndian) { data.append(contentsOf: $0) }
        withUnsafeBytes(of: UInt32(dimension).littleEndian) { data.append(contentsOf: $0) }
        data.reserveCapacity(12 + vectors.count * dimension * 4)
        for vector in vectors {
            for value in vector { withUnsafeBytes(of: value.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
        }
        try FileManager.default.createDirectory(
            at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let temporary = url.appendingPathExtension("tmp-\(getpid())")
        try data.write(to: temporary)
        if FileManager.default.fileExists(atPath: url.path) { try FileManager.default.removeItem(at: url) }
        try FileManager.default.moveItem(at: temporary, to: url)
    }
}
