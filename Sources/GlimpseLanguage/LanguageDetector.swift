/// The two languages cross-lingual alignment knows; their raw values are the caption language codes.
public enum QueryLanguage: String, Sendable, Hashable, CaseIterable {
    case chinese = "zh"
    case english = "en"

    public var other: QueryLanguage { self == .chinese ? .english : .chinese }
}

/// What a query is written in, by script alone: Han characters → Chinese, Latin letters → English.
public enum DetectedLanguage: Sendable, Equatable {
    case single(QueryLanguage)
    /// Both scripts: split it with `QuerySplitter`.
    case mixed
    /// Neither script (digits, punctuation, emoji, other scripts).
    case unknown
}

/// Script-based language detection. Good enough for a Chinese/English frontend; anything else is `.unknown`, and
/// alignment leaves such queries alone.
public enum LanguageDetector {
    public static func detect(_ text: String) -> DetectedLanguage {
        var seen: Set<QueryLanguage> = []
        for scalar in text.unicodeScalars {
            if let script = Script(scalar) { seen.insert(script.language) }
            if seen.count == 2 { return .mixed }
        }
        return seen.first.map { .single($0) } ?? .unknown
    }
}
