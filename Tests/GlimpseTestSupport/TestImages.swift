import Foundation

/// Small real images for tests that only need a file a daemon accepts. A daemon checks every item's image at ingest,
/// text-only ones too (issue 13.1), so a text file standing in for a photo now fails its item.
public enum TestImages {
    /// A 256×256 grey baseline JPEG from the CLIP fixtures (no EXIF).
    public static let plainJPEG: Data = {
        let url = TestFixtures.clip.appendingPathComponent("images/grey-256.jpg")
        guard let data = try? Data(contentsOf: url) else { preconditionFailure("missing test fixture \(url.path)") }
        return data
    }()

    /// The plain JPEG with `comment` in a COM segment right after its SOI marker: a valid JPEG whose bytes (and so
    /// content hash) differ with the comment, while the pixels stay the same.
    public static func jpeg(comment: String) -> Data {
        let text = Array(comment.utf8.prefix(65_000))
        let length = text.count + 2
        var data = Data(plainJPEG.prefix(2))
        data.append(contentsOf: [0xFF, 0xFE, UInt8(length >> 8), UInt8(length & 0xFF)])
        data.append(contentsOf: text)
        data.append(plainJPEG.dropFirst(2))
        return data
    }
}
