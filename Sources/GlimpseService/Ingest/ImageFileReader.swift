import Foundation

/// Reads an item's image file for ingest and re-embedding, checking it is a file under the image roots once every
/// symlink is followed (the path's spelling was checked when the job was accepted).
enum ImageFileReader {
    static func read(_ path: String, imageRoots: ImageRoots) throws -> Data {
        // Before anything touches the file, so that whether it exists outside the roots is not told.
        guard imageRoots.allowsSpelling(path) else {
            throw ServiceError.invalid(
                .pathNotAllowed, "image path " + IngestValidator.outsideRoots(path, imageRoots))
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ServiceError.invalid(.imageNotFound, "image not found: \(path)")
        }
        guard !isDirectory.boolValue else {
            throw ServiceError.invalid(.imageNotAFile, "image path is a directory: \(path)")
        }
        // Checked again here, after every symlink is followed: the spelling was checked when the job was accepted.
        guard imageRoots.allowsResolved(path) else {
            throw ServiceError.invalid(
                .pathNotAllowed, "image path leads outside the image roots through a symlink: \(path)")
        }
        do {
            return try Data(contentsOf: URL(fileURLWithPath: path), options: .mappedIfSafe)
        } catch {
            throw ServiceError.invalid(.imageUnreadable, "image not readable: \(path): \(error.localizedDescription)")
        }
    }
}
