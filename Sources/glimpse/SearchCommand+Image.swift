import Foundation
import GlimpseAPI

extension SearchCommand {
    /// Largest example image the CLI reads; the daemon's own limit (`max_body_bytes`) may be lower.
    static let maxImageFileBytes = 64 << 20

    /// `glimpse search --image FILE`: sends the file's bytes to `POST /v1/search/image`.
    func searchByImage(file path: String) async throws -> SearchResponse {
        try await connection.client.searchImage(Self.imageBytes(file: path), k: k, ef: ef, page: page.options)
    }

    /// The bytes of an image file the CLI sends (search by image, recognize), refused clearly when missing,
    /// unreadable or larger than `maxImageFileBytes`.
    static func imageBytes(file path: String) throws -> Data {
        let url = URL(fileURLWithPath: path)
        let attributes = try? FileManager.default.attributesOfItem(atPath: url.path)
        guard let size = attributes?[.size] as? Int else {
            throw CommandFailure(status: ExitStatus.refused, message: "cannot read the image \(path): no such file")
        }
        guard size <= maxImageFileBytes else {
            throw CommandFailure(
                status: ExitStatus.refused,
                message: "the image \(path) is \(size) bytes; at most \(maxImageFileBytes) are sent")
        }
        do {
            return try Data(contentsOf: url)
        } catch {
            throw CommandFailure(
                status: ExitStatus.refused, message: "cannot read the image \(path): \(error.localizedDescription)")
        }
    }
}
