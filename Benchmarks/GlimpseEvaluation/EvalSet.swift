/// One photo of the labelled eval set, captioned in one language.
public struct EvalPhoto: Sendable, Equatable {
    /// Relative to the photos directory; also the item id during an eval.
    public var path: String
    public var labelEnglish: String
    public var labelChinese: String
    /// "zh" or "en".
    public var captionLanguage: String
    public var caption: String

    public init(path: String, labelEnglish: String, labelChinese: String, captionLanguage: String, caption: String) {
        self.path = path
        self.labelEnglish = labelEnglish
        self.labelChinese = labelChinese
        self.captionLanguage = captionLanguage
        self.caption = caption
    }
}

public struct EvalSetError: Error, CustomStringConvertible {
    public let description: String
}

/// Reads `Benchmarks/EvalSets/shared-photos.tsv`: a header `path label_en label_zh caption_language caption`,
/// then one tab-separated row per photo.
public enum EvalSet {
    public static let header = ["path", "label_en", "label_zh", "caption_language", "caption"]

    public static func parse(_ text: String, name: String) throws -> [EvalPhoto] {
        try rows(text, name: name, header: header).map { line, fields in
            guard ["zh", "en"].contains(fields[3]) else {
                throw EvalSetError(description: "\(name):\(line): caption_language must be zh or en, got \(fields[3])")
            }
            return EvalPhoto(
                path: fields[0], labelEnglish: fields[1], labelChinese: fields[2], captionLanguage: fields[3],
                caption: fields[4])
        }
    }

    /// The rows after `header` of a tab-separated file, each with its 1-based line number; every row must have
    /// exactly the header's number of non-empty fields.
    static func rows(_ text: String, name: String, header: [String]) throws -> [(line: Int, fields: [String])] {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: true).map { String($0) }
        guard let first = lines.first, first.split(separator: "\t").map(String.init) == header else {
            throw EvalSetError(
                description: "\(name): the first line must be the header \(header.joined(separator: "\\t"))")
        }
        lines.removeFirst()
        return try lines.enumerated().map { offset, line in
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard fields.count == header.count, !fields.contains(where: \.isEmpty) else {
                throw EvalSetError(
                    description: "\(name):\(offset + 2): expected \(header.count) non-empty tab-separated fields")
            }
            return (offset + 2, fields)
        }
    }
}

/// An ambiguous query and items for each of its senses (`Benchmarks/EvalSets/ambiguity.tsv`): a header
/// `query sense item caption_language caption`; `item` is a photo path of the main set (its caption there is
/// used, `-` in the last two columns) or a new caption-only item's name.
public struct AmbiguityItem: Sendable, Equatable {
    public var query: String
    public var sense: String
    public var item: String
    /// nil: a photo of the main eval set.
    public var caption: (language: String, text: String)?

    public static func == (a: AmbiguityItem, b: AmbiguityItem) -> Bool {
        a.query == b.query && a.sense == b.sense && a.item == b.item && a.caption?.language == b.caption?.language
            && a.caption?.text == b.caption?.text
    }

    public static let header = ["query", "sense", "item", "caption_language", "caption"]

    public static func parse(_ text: String, name: String) throws -> [AmbiguityItem] {
        try EvalSet.rows(text, name: name, header: header).map { _, fields in
            let caption = fields[3] == "-" ? nil : (language: fields[3], text: fields[4])
            return AmbiguityItem(query: fields[0], sense: fields[1], item: fields[2], caption: caption)
        }
    }
}
