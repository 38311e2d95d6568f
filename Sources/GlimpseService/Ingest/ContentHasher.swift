import Crypto
import Foundation
import GlimpseAPI

/// SHA-256 over the image path, the image bytes and the captions: re-ingesting an unchanged item is a no-op,
/// while a new picture under the same path, or edited captions, counts as an update. Item fields count too, so
/// a re-ingest that changes only them replaces them (an item without fields hashes as before fields existed).
///
/// The image bytes are fed in as they are read (`update(imageBytes:)`), so hashing never holds a whole file; the
/// digest is the same as over the bytes in one piece.
struct ContentHasher {
    private var hasher = SHA256()

    init(imagePath: String) {
        hasher.update(data: Data("path\u{0}\(imagePath)\u{0}".utf8))
    }

    mutating func update(imageBytes: Data) {
        hasher.update(data: imageBytes)
    }

    consuming func finish(captions: [String: String], fields: [String: JSONValue]? = nil) -> String {
        for language in captions.keys.sorted() {
            hasher.update(data: Data("\u{0}caption\u{0}\(language)\u{0}\(captions[language]!)".utf8))
        }
        if let fields, !fields.isEmpty {
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            hasher.update(data: Data("\u{0}fields\u{0}".utf8))
            hasher.update(data: (try? encoder.encode(fields)) ?? Data())
        }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    static func hash(
        imagePath: String, imageBytes: Data, captions: [String: String], fields: [String: JSONValue]? = nil
    ) -> String {
        var hasher = ContentHasher(imagePath: imagePath)
        hasher.update(imageBytes: imageBytes)
        return hasher.finish(captions: captions, fields: fields)
    }
}
