import Foundation
import GlimpseAPI

/// Reads a JSON Lines manifest (`{"image_path": "data/dog.jpg", "captions": {"zh": "…", "en": "…"}, "id": "…"}` per
/// line) into items ready for `POST /v1/items`. The whole file is checked before anything is sent, so a typo on
/// line 9,000 does not leave a half-ingested manifest behind. Blank lines are skipped; relative image paths are
/// resolved against the manifest's own directory, so the manifest can be run from anywhere with the same result.
/// Unknown fields are refused, as the daemon refuses them: a misspelt `"caption"` would otherwise vanish silently.
public enum ManifestReader {
    public static let allowedFields: Set<String> = IngestItem.fieldNames

    /// Reads the manifest at `path` (relative paths are taken against `currentDirectory`).
    public static func read(
        contentsOf path: String,
        currentDirectory: String = FileManager.default.currentDirectoryPath
    ) throws(ManifestError) -> [ManifestEntry] {
        let absolute = AbsolutePath.resolve(path, against: currentDirectory)
        let data: Data
        do {
            // Read to end through a handle rather than `Data(contentsOf:)`, which refuses devices and pipes
            // (`/dev/null`, `<(generate-manifest)`) with a misleading "You don't have permission".
            let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: absolute))
            defer { try? handle.close() }
            data = try handle.readToEnd() ?? Data()
        } catch {
            throw ManifestError(file: path, line: nil, message: "cannot read the manifest: \(Self.reason(error))")
        }
        return try parse(data, displayName: path, directory: AbsolutePath.directory(of: absolute))
    }

    /// Parses manifest text; `directory` (absolute) anchors relative image paths, `displayName` names the file in errors.
    public static func parse(_ data: Data, displayName: String, directory: String) throws(ManifestError)
        -> [ManifestEntry]
    {
        var entries: [ManifestEntry] = []
        var lineOfID: [String: Int] = [:]
        var lines = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        if let first = lines.first, first.starts(with: [0xEF, 0xBB, 0xBF]) {
            lines[0] = first.dropFirst(3)  // a UTF-8 byte order mark, as some editors write
        }
        for (offset, bytes) in lines.enumerated() {
            let lineNumber = offset + 1
            func fail(_ message: String) -> ManifestError {
                ManifestError(file: displayName, line: lineNumber, message: message)
            }
            guard let text = String(validating: bytes, as: UTF8.self) else {
                throw fail("not valid UTF-8")
            }
            if text.allSatisfy(\.isWhitespace) { continue }
            let item = try parseLine(Data(bytes), directory: directory, fail: fail)
            let entry = ManifestEntry(lineNumber: lineNumber, item: item)
            if let earlier = lineOfID[entry.effectiveID] {
                throw fail("same id as line \(earlier): \(entry.effectiveID)")
            }
            lineOfID[entry.effectiveID] = lineNumber
            entries.append(entry)
        }
        return entries
    }

    private static func parseLine(
        _ bytes: Data, directory: String, fail: (String) -> ManifestError
    ) throws(ManifestError) -> IngestItem {
        let value: JSONValue
        do {
            value = try JSONValue(parsing: bytes)
        } catch {
            throw fail("not valid JSON: \(error)")
        }
        guard case .object(let fields) = value else {
            throw fail(
                "expected a JSON object such as {\"image_path\": \"dog.jpg\", \"captions\": {\"en\": \"a dog\"}}, got \(value.kindName)"
            )
        }
        if let unknown = fields.keys.sorted().first(where: { !allowedFields.contains($0) }) {
            throw fail("unknown field \"\(unknown)\"; allowed: \(allowedFields.sorted().joined(separator: ", "))")
        }

        var id: String?
        switch fields["id"] {
        case nil, .null?: id = nil
        case .string(let text)?:
            if let problem = IngestItem.idProblem(text) { throw fail("id \(problem)") }
            id = text
        case let other?: throw fail("id must be a string, got \(other.kindName)")
        }

        guard let pathValue = fields["image_path"] else { throw fail("missing field image_path") }
        guard case .string(let rawPath) = pathValue else {
            throw fail("image_path must be a string, got \(pathValue.kindName)")
        }
        guard !rawPath.isEmpty, !rawPath.contains("\u{0}") else { throw fail("image_path is empty") }

        // Captions are optional: an image-only item is found by its picture (the daemon refuses it unless a space
        // embeds images, with `no_image_space`).
        let captionFields: [String: JSONValue]
        switch fields["captions"] {
        case nil, .null?: captionFields = [:]
        case .object(let object)?: captionFields = object
        case let other?: throw fail("captions must be an object of language → text, got \(other.kindName)")
        }
        var captions: [String: String] = [:]
        for (language, caption) in captionFields {
            guard case .string(let text) = caption else {
                throw fail("captions.\(language) must be a string, got \(caption.kindName)")
            }
            guard !text.allSatisfy(\.isWhitespace) else { throw fail("captions.\(language) is empty") }
            captions[language] = text
        }

        var itemFields: [String: JSONValue]?
        switch fields["fields"] {
        case nil, .null?: itemFields = nil
        case .object(let object)?:
            if let problem = ItemFieldRules.problem(object, at: "fields") { throw fail(problem) }
            itemFields = object
        case let other?: throw fail("fields must be an object, got \(other.kindName)")
        }

        return IngestItem(
            id: id, imagePath: AbsolutePath.resolve(rawPath, against: directory), captions: captions,
            fields: itemFields)
    }

    private static func reason(_ error: any Error) -> String {
        let nsError = error as NSError
        if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain
        {
            return String(cString: strerror(Int32(underlying.code))).lowercased()
        }
        if nsError.domain == NSCocoaErrorDomain, nsError.code == NSFileReadNoSuchFileError {
            return "no such file"
        }
        return nsError.localizedDescription
    }
}
