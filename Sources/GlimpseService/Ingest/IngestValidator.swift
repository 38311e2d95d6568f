import Foundation
import GlimpseAPI

/// Checks the shape of an ingest request before it is committed, so a job only ever holds items the worker can
/// process. Problems with the files themselves (missing, unreadable) are found by the worker, per item.
struct IngestValidator: Sendable {
    let limits: RequestLimits
    let imageRoots: ImageRoots
    /// Whether a configured space embeds images: only then can an item without captions be found (by its picture).
    var hasImageSpace = false

    func validate(_ items: [IngestItem]) throws(ServiceError) {
        guard !items.isEmpty else {
            throw .invalid(.invalidRequest, "the request holds no items")
        }
        guard items.count <= limits.maxItemsPerRequest else {
            throw ServiceError(
                .tooLarge, code: .tooManyItems,
                "\(items.count) items in one request; the limit is \(limits.maxItemsPerRequest), send several requests")
        }
        var firstIndexOfID: [String: Int] = [:]
        for (index, item) in items.enumerated() {
            try validate(item, at: index)
            let id = Self.externalID(of: item)
            if let earlier = firstIndexOfID[id] {
                throw .invalid(.duplicateItem, "items[\(index)] has the same id as items[\(earlier)]: \(id)")
            }
            firstIndexOfID[id] = index
        }
        // A path outside the image roots fails only its own item (the worker refuses to read it, see
        // `ImageFileReader`); a request with nothing else in it is refused whole, as there is nothing to do.
        if let first = items.first, !items.contains(where: { imageRoots.allowsSpelling($0.imagePath) }) {
            throw .invalid(.pathNotAllowed, "items[0].image_path " + Self.outsideRoots(first.imagePath, imageRoots))
        }
    }

    /// Why a path spelt outside the roots is refused; the worker fails such an item with the same words.
    static func outsideRoots(_ path: String, _ imageRoots: ImageRoots) -> String {
        "\(quoted(path)) is not under an image root (\(imageRoots.paths.joined(separator: ", "))) or uses . or .."
    }

    private func validate(_ item: IngestItem, at index: Int) throws(ServiceError) {
        let place = "items[\(index)]"
        if let id = item.id, let problem = IngestItem.idProblem(id, maxCharacters: limits.maxIDCharacters) {
            throw .invalid(.invalidItem, "\(place).id \(problem)")
        }
        guard item.imagePath.hasPrefix("/") else {
            throw .invalid(
                .invalidItem, "\(place).image_path must be an absolute path, got \(Self.quoted(item.imagePath))")
        }
        guard item.imagePath.utf8.count <= limits.maxPathBytes, !item.imagePath.contains("\u{0}") else {
            throw .invalid(.invalidItem, "\(place).image_path is not a usable path")
        }
        // An item needs an image, a caption or both; an image-only one only makes sense when a space embeds images.
        guard !item.captions.isEmpty || hasImageSpace else {
            throw .invalid(
                .noImageSpace,
                "\(place) has no captions, and no space of this daemon embeds images; give at least one caption, "
                    + "e.g. {\"en\": \"a dog\"}, or configure an image space (a \"kind\": \"clip\" entry in the "
                    + "`spaces` setting) to ingest photos without captions")
        }
        guard item.captions.count <= limits.maxCaptionsPerItem else {
            throw .invalid(.invalidItem, "\(place).captions has more than \(limits.maxCaptionsPerItem) languages")
        }
        for (language, text) in item.captions {
            guard Self.isLanguageCode(language) else {
                throw .invalid(
                    .invalidItem,
                    "\(place).captions has an invalid language code \(Self.quoted(language)); use codes such as \"en\", \"zh\", \"zh-Hant\""
                )
            }
            if let problem = IngestItem.captionControlProblem(text) {
                throw .invalid(.invalidItem, "\(place).captions.\(language) \(problem)")
            }
            guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                throw .invalid(.invalidItem, "\(place).captions.\(language) is empty")
            }
            guard text.unicodeScalars.count <= limits.maxCaptionCharacters else {
                throw .invalid(
                    .invalidItem,
                    "\(place).captions.\(language) is longer than \(limits.maxCaptionCharacters) characters (Unicode code points)"
                )
            }
        }
        if let fields = item.fields, let problem = ItemFieldRules.problem(fields, at: "\(place).fields") {
            throw .invalid(.invalidItem, problem)
        }
    }

    /// The id an item is stored under (the API's rule).
    static func externalID(of item: IngestItem) -> String {
        item.effectiveID
    }

    /// BCP 47-like: a 2–3 letter primary tag, optional subtags of letters and digits.
    static func isLanguageCode(_ code: String) -> Bool {
        let parts = code.split(separator: "-", omittingEmptySubsequences: false)
        guard let primary = parts.first, (2...3).contains(primary.count),
            primary.allSatisfy({ $0.isASCII && $0.isLowercase })
        else { return false }
        return parts.dropFirst().allSatisfy { part in
            (1...8).contains(part.count) && part.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) }
        }
    }

    private static func quoted(_ text: String) -> String {
        let shown = text.count > 80 ? String(text.prefix(80)) + "…" : text
        return "\"\(shown)\""
    }
}
