import Foundation
import GlimpseAPI

/// A photo found in a folder, ready to send: its item (id = path relative to the folder, image path under the
/// folder's real path, captions and fields from its sidecar if it has one).
public struct FolderPhoto: Sendable, Equatable {
    public var relativePath: String
    public var item: IngestItem
    /// The sidecar the captions came from, if any (absolute).
    public var sidecarPath: String?

    public init(relativePath: String, item: IngestItem, sidecarPath: String? = nil) {
        self.relativePath = relativePath
        self.item = item
        self.sidecarPath = sidecarPath
    }
}

/// A photo that cannot be sent (its id breaks the id rule, its sidecar is malformed): it counts as failed.
public struct FolderProblem: Sendable, Equatable, CustomStringConvertible {
    public var relativePath: String
    public var message: String

    public init(relativePath: String, message: String) {
        self.relativePath = relativePath
        self.message = message
    }

    public var description: String { "\(relativePath): \(message)" }
}

/// What a walk of a photo folder found.
public struct FolderScan: Sendable, Equatable {
    /// The folder with every symlink resolved: image paths are spelt under it, so the daemon's image-root check
    /// sees the real location.
    public var root: String
    /// In path order.
    public var photos: [FolderPhoto] = []
    public var problems: [FolderProblem] = []
    /// Entries skipped with a warning (symlinks leading outside the folder or nowhere, unreadable directories).
    public var warnings: [String] = []

    /// The photos as manifest entries (numbered from 1 in path order), for `IngestBatching` and `ManifestIngestion`.
    public var entries: [ManifestEntry] {
        photos.enumerated().map { ManifestEntry(lineNumber: $0.offset + 1, item: $0.element.item) }
    }
}

/// The folder itself cannot be walked.
public struct FolderScanError: Error, Sendable, Equatable, CustomStringConvertible {
    public var folder: String
    public var message: String

    public var description: String { "\(folder): \(message)" }
}

/// Walks a photo folder for `glimpse ingest --dir`.
///
/// - Photos are regular files with a recognised extension (case-insensitive); other files are ignored, and so are
///   names starting with "." (`.thumbnails`, editors' temporary files).
/// - The item id is the path relative to the folder (`2024/beach/IMG_0001.jpg`); a path the id rule refuses is a
///   failed photo, reported by name.
/// - Symlinks: a link whose target is inside the folder is a photo under the link's name; a link leading outside
///   the folder (or nowhere) is skipped with a warning, so a folder cannot smuggle in files from elsewhere.
///   Directory links are not followed (a link inside the folder would only list the same photos twice).
/// - Optional captions come from a sidecar beside the photo named after it plus `.json` (`IMG_0001.jpg.json`)
///   holding `{"captions": {"en": "…", "zh": "…"}, "fields": {…}}` (both optional, nothing else).
public enum PhotoFolderScanner {
    public static let imageExtensions: Set<String> = ["jpg", "jpeg", "png", "webp", "heic", "heif", "avif"]
    public static let sidecarSuffix = ".json"
    public static let sidecarFields: Set<String> = ["captions", "fields"]
    /// A sidecar is a few captions; anything larger is a mistake, not a caption file.
    public static let maxSidecarBytes = 1 << 20

    public static func isPhotoName(_ name: String) -> Bool {
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return false }
        return imageExtensions.contains(name[name.index(after: dot)...].lowercased())
    }

    /// Walks `folder` (relative paths are taken against `currentDirectory`).
    public static func scan(
        _ folder: String, currentDirectory: String = FileManager.default.currentDirectoryPath
    ) throws(FolderScanError) -> FolderScan {
        let spelt = AbsolutePath.resolve(folder, against: currentDirectory)
        guard let root = realPath(spelt) else {
            throw FolderScanError(folder: folder, message: "no such folder")
        }
        var info = stat()
        guard stat(root, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else {
            throw FolderScanError(folder: folder, message: "not a folder")
        }
        var scan = FolderScan(root: root)
        do {
            try walk(directory: root, relative: "", root: root, into: &scan)
        } catch {
            throw FolderScanError(folder: folder, message: "cannot list it: \(reason(error))")
        }
        return scan
    }

    private static func walk(directory: String, relative: String, root: String, into scan: inout FolderScan) throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        for name in names where !name.hasPrefix(".") {
            let path = directory == "/" ? "/" + name : directory + "/" + name
            let relativePath = relative.isEmpty ? name : relative + "/" + name
            var info = stat()
            guard lstat(path, &info) == 0 else { continue }  // gone since the listing
            switch info.st_mode & S_IFMT {
            case S_IFDIR:
                do {
                    try walk(directory: path, relative: relativePath, root: root, into: &scan)
                } catch {
                    scan.warnings.append("\(relativePath)/: skipped, cannot list it: \(reason(error))")
                }
            case S_IFREG:
                if isPhotoName(name) { add(path, relativePath, root: root, into: &scan) }
            case S_IFLNK:
                guard isPhotoName(name) else { continue }
                guard let target = realPath(path) else {
                    scan.warnings.append("\(relativePath): skipped, a symlink to nothing")
                    continue
                }
                guard isInside(target, root) else {
                    scan.warnings.append(
                        "\(relativePath): skipped, a symlink leading outside the folder (to \(target))")
                    continue
                }
                var targetInfo = stat()
                guard stat(target, &targetInfo) == 0, (targetInfo.st_mode & S_IFMT) == S_IFREG else { continue }
                add(path, relativePath, root: root, into: &scan)
            default:
                continue  // FIFOs, sockets, devices: never photos
            }
        }
    }

    private static func add(_ path: String, _ relativePath: String, root: String, into scan: inout FolderScan) {
        if let problem = IngestItem.idProblem(relativePath) {
            scan.problems.append(
                FolderProblem(relativePath: relativePath, message: "cannot be an item id: it \(problem)"))
            return
        }
        guard path.utf8.count <= IngestLimits.maxPathBytes else {
            scan.problems.append(
                FolderProblem(
                    relativePath: relativePath, message: "path is longer than \(IngestLimits.maxPathBytes) bytes"))
            return
        }
        let sidecarPath = path + sidecarSuffix
        var captions: [String: String] = [:]
        var fields: [String: JSONValue]?
        var usedSidecar: String?
        do throws(SidecarProblem) {
            if let sidecar = try readSidecar(sidecarPath, root: root) {
                (captions, fields) = try parseSidecar(sidecar)
                usedSidecar = sidecarPath
            }
        } catch {
            scan.problems.append(
                FolderProblem(
                    relativePath: relativePath, message: "sidecar \(relativePath)\(sidecarSuffix): \(error.message)"))
            return
        }
        scan.photos.append(
            FolderPhoto(
                relativePath: relativePath,
                item: IngestItem(id: relativePath, imagePath: path, captions: captions, fields: fields),
                sidecarPath: usedSidecar))
    }

    struct SidecarProblem: Error {
        var message: String
    }

    /// The sidecar's bytes; nil when there is none. A sidecar that is a symlink leading outside the folder is refused.
    private static func readSidecar(_ path: String, root: String) throws(SidecarProblem) -> Data? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        if (info.st_mode & S_IFMT) == S_IFLNK {
            guard let target = realPath(path), isInside(target, root) else {
                throw SidecarProblem(message: "is a symlink leading outside the folder")
            }
            guard stat(target, &info) == 0 else { return nil }
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw SidecarProblem(message: "is not a regular file") }
        guard info.st_size <= maxSidecarBytes else {
            throw SidecarProblem(message: "is larger than \(maxSidecarBytes) bytes")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SidecarProblem(message: "cannot be read")
        }
        return data
    }

    /// `{"captions": {"en": "…"}, "fields": {…}}`, both optional; the same rules as a manifest line's fields.
    static func parseSidecar(_ data: Data) throws(SidecarProblem) -> (
        captions: [String: String], fields: [String: JSONValue]?
    ) {
        let value: JSONValue
        do {
            value = try JSONValue(parsing: data)
        } catch {
            throw SidecarProblem(message: "not valid JSON: \(error)")
        }
        guard case .object(let object) = value else {
            throw SidecarProblem(
                message: "expected a JSON object such as {\"captions\": {\"en\": \"a dog\"}}, got \(value.kindName)")
        }
        if let unknown = object.keys.sorted().first(where: { !sidecarFields.contains($0) }) {
            throw SidecarProblem(
                message: "unknown field \"\(unknown)\"; allowed: \(sidecarFields.sorted().joined(separator: ", "))")
        }
        var captions: [String: String] = [:]
        switch object["captions"] {
        case nil, .null?: break
        case .object(let captionFields)?:
            for (language, caption) in captionFields {
                guard case .string(let text) = caption else {
                    throw SidecarProblem(message: "captions.\(language) must be a string, got \(caption.kindName)")
                }
                guard !text.allSatisfy(\.isWhitespace) else {
                    throw SidecarProblem(message: "captions.\(language) is empty")
                }
                captions[language] = text
            }
        case let other?:
            throw SidecarProblem(message: "captions must be an object of language → text, got \(other.kindName)")
        }
        var fields: [String: JSONValue]?
        switch object["fields"] {
        case nil, .null?: break
        case .object(let fieldObject)?:
            if let problem = ItemFieldRules.problem(fieldObject, at: "fields") {
                throw SidecarProblem(message: problem)
            }
            fields = fieldObject
        case let other?: throw SidecarProblem(message: "fields must be an object, got \(other.kindName)")
        }
        return (captions, fields)
    }

    static func isInside(_ path: String, _ root: String) -> Bool {
        root == "/" || path.hasPrefix(root + "/")
    }

    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    private static func reason(_ error: any Error) -> String {
        let nsError = error as NSError
        if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain
        {
            return String(cString: strerror(Int32(underlying.code))).lowercased()
        }
        return nsError.localizedDescription
    }
}
