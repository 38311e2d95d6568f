import Crypto
import Foundation

/// SHA-256 over the image path, the image bytes and the captions: re-ingesting an unchanged item is a no-op,
/// while a new picture under the same path, or edited captions, counts as an update.
enum ContentHasher {
    static func hash(imagePath: String, imageBytes: Data, captions: [String: String]) -> String {
        var hasher = SHA256()
        hasher.update(data: Data("path\u{0}\(imagePath)\u{0}".utf8))
        hasher.update(data: imageBytes)
        for language in captions.keys.sorted() {
            hasher.update(data: Data("\u{0}caption\u{0}\(language)\u{0}\(captions[language]!)".utf8))
        }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }
}
