/// One single-language run of a query.
public struct QueryPart: Sendable, Equatable {
    public var text: String
    public var language: QueryLanguage

    public init(_ text: String, _ language: QueryLanguage) {
        self.text = text
        self.language = language
    }
}

/// Splits a mixed query such as "红色汽车 red car" into runs of one script each: ["红色汽车" zh, "red car" en].
/// Neutral characters (spaces, digits, punctuation) stay with the run they are in; those between two runs of
/// different scripts are dropped at the run boundary, then each part is trimmed.
public enum QuerySplitter {
    public static func split(_ text: String) -> [QueryPart] {
        var parts: [QueryPart] = []
        var current = String.UnicodeScalarView()
        var currentLanguage: QueryLanguage?
        var pendingNeutral = String.UnicodeScalarView()

        func flush() {
            let trimmed = String(current).trimmingQuerySpace()
            if let language = currentLanguage, !trimmed.isEmpty {
                if let last = parts.last, last.language == language {
                    parts[parts.count - 1].text += " " + trimmed
                } else {
                    parts.append(QueryPart(trimmed, language))
                }
            }
            current = String.UnicodeScalarView()
        }

        for scalar in text.unicodeScalars {
            guard let language = Script(scalar)?.language else {
                pendingNeutral.append(scalar)
                continue
            }
            if language != currentLanguage {
                flush()
                currentLanguage = language
            } else {
                current.append(contentsOf: pendingNeutral)
            }
            pendingNeutral = String.UnicodeScalarView()
            current.append(scalar)
        }
        flush()
        return parts
    }
}

extension String {
    /// Trims ASCII and ideographic spaces and common punctuation at both ends.
    func trimmingQuerySpace() -> String {
        let edge: (Unicode.Scalar) -> Bool = { scalar in
            scalar.properties.isWhitespace || scalar == "\u{3000}" || scalar.properties.generalCategory.isPunctuation
        }
        let scalars = Array(unicodeScalars)
        guard let first = scalars.firstIndex(where: { !edge($0) }), let last = scalars.lastIndex(where: { !edge($0) })
        else { return "" }
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars[first...last])
        return String(view)
    }
}

extension Unicode.GeneralCategory {
    var isPunctuation: Bool {
        switch self {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation, .initialPunctuation,
            .finalPunctuation, .otherPunctuation:
            true
        default:
            false
        }
    }
}
