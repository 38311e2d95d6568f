import Foundation
import GlimpseAPI

/// Reads an item's image file for ingest and re-embedding, checking it is a file under the image roots once every
/// symlink is followed (the path's spelling was checked when the job was accepted), and never reading more than
/// `maxBytes` (the daemon's `image_max_file_bytes`) whether or not the bytes are decoded afterwards.
enum ImageFileReader {
    /// Bytes read (and hashed) at a time when streaming.
    static let chunkBytes = 1 << 20

    /// The whole file, for decoding; fails with `image_file_too_large` before reading a byte of an oversized file.
    static func read(_ path: String, imageRoots: ImageRoots, maxBytes: Int) throws -> Data {
        var data = Data()
        try stream(path, imageRoots: imageRoots, maxBytes: maxBytes) { chunk in data.append(chunk) }
        return data
    }

    /// Calls `body` with the file's bytes in chunks of at most `chunkBytes`, so hashing a file costs one chunk of
    /// memory. The size is checked before reading (a sparse 4 GB file fails at once) and again while reading (a
    /// file that grows past the limit fails too).
    static func stream(_ path: String, imageRoots: ImageRoots, maxBytes: Int, _ body: (Data) throws -> Void) throws {
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
        // A FIFO or device would block or never end: only regular files are opened (and checked again once open).
        var before = stat()
        guard stat(path, &before) == 0, (before.st_mode & S_IFMT) == S_IFREG else {
            throw ServiceError.invalid(.imageNotAFile, "image path is not a regular file: \(path)")
        }
        let handle: FileHandle
        do {
            handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
        } catch {
            throw ServiceError.invalid(.imageUnreadable, "image not readable: \(path): \(error.localizedDescription)")
        }
        defer { try? handle.close() }
        // fstat on the open descriptor: the file checked is the file read.
        var info = stat()
        guard fstat(handle.fileDescriptor, &info) == 0 else {
            throw ServiceError.invalid(
                .imageUnreadable, "image not readable: \(path): \(String(cString: strerror(errno)))")
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw ServiceError.invalid(.imageNotAFile, "image path is not a regular file: \(path)")
        }
        guard Int(info.st_size) <= maxBytes else {
            throw tooLarge(path, bytes: "\(info.st_size)", maxBytes: maxBytes)
        }
        var total = 0
        while true {
            let chunk: Data?
            do {
                chunk = try handle.read(upToCount: chunkBytes)
            } catch {
                throw ServiceError.invalid(
                    .imageUnreadable, "image not readable: \(path): \(error.localizedDescription)")
            }
            guard let chunk, !chunk.isEmpty else { return }
            total += chunk.count
            guard total <= maxBytes else { throw tooLarge(path, bytes: "more than \(maxBytes)", maxBytes: maxBytes) }
            try body(chunk)
        }
    }

    private static func tooLarge(_ path: String, bytes: String, maxBytes: Int) -> ServiceError {
        ServiceError.invalid(
            .imageFileTooLarge,
            "image_file_too_large: the image file is \(bytes) bytes; image_max_file_bytes is \(maxBytes): \(path)")
    }
}
