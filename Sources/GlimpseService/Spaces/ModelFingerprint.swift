import Crypto
import Foundation
import GlimpseCatalog
import GlimpseEmbedding

/// Tells models apart, so vectors embedded by one are never silently compared with queries embedded by another.
public enum ModelFingerprint {
    /// "size:sha256" of a model file, read in 1 MiB blocks.
    public static func ofFile(at path: String) throws -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw ServiceError(
                .internal, code: .modelUnreadable, "cannot open the model file \(path) to fingerprint it")
        }
        defer { try? handle.close() }
        var hasher = SHA256()
        var size = 0
        while let block = try handle.read(upToCount: 1 << 20), !block.isEmpty {
            hasher.update(data: block)
            size += block.count
        }
        return "\(size):" + hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    /// For an embedder without a model file: a hash of the vectors it gives two fixed probe texts, rounded to three
    /// decimals so that the last bits of float arithmetic do not count as another model.
    static func ofProbe(_ embedder: any TextEmbedder) throws -> String {
        let vectors = try embedder.embed(["glimpse model fingerprint probe", "狗 dog 1234"], role: .passage)
        var hasher = SHA256()
        for value in vectors.joined() {
            let rounded = value.isFinite ? Int32(clamping: Int((value * 1_000).rounded())) : Int32.min
            withUnsafeBytes(of: rounded.littleEndian) { hasher.update(bufferPointer: $0) }
        }
        return "probe:" + hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    static func identity(of embedder: any TextEmbedder, configured: String?) throws -> ModelIdentity {
        ModelIdentity(
            name: embedder.spaceName, dimension: embedder.dimension, fingerprint: try configured ?? ofProbe(embedder))
    }
}
