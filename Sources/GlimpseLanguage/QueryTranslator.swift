/// Proposes translations of one single-language query part through the dictionary, most likely first. English →
/// Chinese trusts the dictionary's order and keeps to the main part of speech (crab → 螃蟹, not the verb 发牢骚);
/// Chinese → English lists every headword whose main gloss it is, and the search engine lets the embedder choose
/// among them (宇航员 → astronaut rather than cosmonaut; see `QueryAligner`).
public struct QueryTranslator: Sendable {
    public let dictionary: BilingualDictionary
    /// Upper bound on candidates per part, so a query costs a bounded number of embeddings.
    public var maxCandidates = 6
    /// Glosses longer than this are explanations (类似犬的动物, "a person who…"), not translations.
    public var maxChineseGlossCharacters = 5
    public var maxEnglishWords = 5
    /// Glosses per word tried when composing an unknown English phrase, and compositions proposed at most.
    public var glossesPerComposedWord = 4
    public var maxCompositions = 8
    /// CC-CEDICT synonyms proposed for an English word, before the embedder picks among them.
    public var maxSynonyms = 8

    public init(dictionary: BilingualDictionary) {
        self.dictionary = dictionary
    }

    public func candidates(for part: QueryPart) -> [String] {
        let text = part.text.lowercased()
        var found: [String]
        switch part.language {
        case .english:
            found = englishToChinese(text)
        case .chinese:
            found = chineseToEnglish(text)
        }
        found.removeAll { $0 == part.text }
        return isComposed(part) ? found : Array(found.prefix(maxCandidates))
    }

    private func englishToChinese(_ text: String) -> [String] {
        let direct = chineseGlosses(text)
        if !direct.isEmpty { return direct }
        let words = compositionGlosses(text)
        guard !words.isEmpty else { return [] }
        // A phrase the dictionary lacks ("polar bear"): compose word by word from each word's first glosses, in the
        // dictionary's order (两极熊, 极地熊, …, 北极熊); `isComposed` tells the caller to let the embedder choose.
        var compositions = [""]
        for (_, glosses) in words {
            // Only the first `maxCompositions` are kept, so a long sentence does not multiply out exponentially (the
            // prefix of a product of prefixes is the product's prefix: nothing changes for short phrases).
            compositions = Array(compositions.flatMap { prefix in glosses.map { prefix + $0 } }.prefix(maxCompositions))
        }
        return compositions == [""] ? [] : Array(compositions.filter { !$0.isEmpty }.prefix(maxCompositions))
    }

    /// The words of a phrase the dictionary lacks, each with the glosses a composition may use for it (at most
    /// `glossesPerComposedWord`, dictionary order), words without glosses left out; empty for a single word.
    public func compositionGlosses(for part: QueryPart) -> [(word: String, glosses: [String])] {
        guard part.language == .english else { return [] }
        return compositionGlosses(part.text.lowercased())
    }

    private func compositionGlosses(_ text: String) -> [(word: String, glosses: [String])] {
        let words = text.split(whereSeparator: { !$0.isLetter && $0 != "'" && $0 != "-" }).map(String.init)
        guard words.count > 1 else { return [] }
        return words.compactMap { word in
            let glosses = compositionGlosses(ofWord: word)
            return glosses.isEmpty ? nil : (word, glosses)
        }
    }

    /// The glosses a composed phrase may use for one (lowercase) English word of it.
    public func compositionGlosses(ofWord word: String) -> [String] {
        chineseGlosses(word).prefix(glossesPerComposedWord).map { gloss in
            // An adjective's gloss ends in 的 (红的); inside a compound Chinese drops it.
            gloss.count > 1 && gloss.hasSuffix("的") ? String(gloss.dropLast()) : gloss
        }
    }

    /// Whether `candidates(for:)` composed the part word by word rather than finding it in the dictionary.
    public func isComposed(_ part: QueryPart) -> Bool {
        guard part.language == .english else { return false }
        let text = part.text.lowercased()
        return chineseGlosses(text).isEmpty
            && text.split(whereSeparator: { !$0.isLetter && $0 != "'" && $0 != "-" }).count > 1
    }

    /// Main-sense glosses from the word list; a word it lacks (cat, meerkat) falls back to CC-CEDICT's synonyms.
    private func chineseGlosses(_ word: String) -> [String] {
        let glosses = senseGlosses(word)
        return glosses.isEmpty ? Array(cedictSynonyms(word).prefix(glossesPerComposedWord)) : glosses
    }

    private func senseGlosses(_ word: String) -> [String] {
        singularised(word, dictionary.mainChinese(forEnglish:)).filter { $0.count <= maxChineseGlossCharacters }
    }

    private func cedictSynonyms(_ word: String) -> [String] {
        singularised(word, dictionary.cedictSynonyms(forEnglish:)).filter { $0.count <= maxChineseGlossCharacters }
    }

    /// Looks a word up as it is, else (plurals are mostly not headwords) "cups" → "cup", "boxes" → "box".
    private func singularised(_ word: String, _ lookup: (String) -> [String]) -> [String] {
        var found = lookup(word)
        if found.isEmpty, word.count > 3, word.hasSuffix("s") {
            found = lookup(String(word.dropLast()))
            if found.isEmpty, word.hasSuffix("es") { found = lookup(String(word.dropLast(2))) }
        }
        return found
    }

    /// Whether the word list has the English part itself, so its main glosses are distinct senses (bat → 蝙蝠, 球棒).
    public func hasSenses(_ part: QueryPart) -> Bool {
        part.language == .english && !senseGlosses(part.text.lowercased()).isEmpty
    }

    /// CC-CEDICT headwords whose main gloss is the English part (koala → 无尾熊, 树袋熊, 考拉): synonyms, one of
    /// which a caption may use where the word list glosses differently. At most `maxSynonyms`, in file order.
    public func synonyms(for part: QueryPart) -> [String] {
        guard part.language == .english else { return [] }
        return Array(cedictSynonyms(part.text.lowercased()).prefix(maxSynonyms))
    }

    private func chineseToEnglish(_ text: String) -> [String] {
        // Traditional Chinese (貓) is looked up by its simplified form (猫), as both dictionaries key it.
        let compact = dictionary.simplified(text.filter { !$0.isWhitespace })
        let direct = dictionary.english(forChinese: compact)
        if !direct.isEmpty { return direct.filter { $0.split(separator: " ").count <= maxEnglishWords } }
        // Not a headword (红色汽车): segment it and translate each known segment by its main sense.
        let segments = dictionary.segment(chinese: compact)
        // Single characters are too ambiguous to compose from (长城 is not 长 "lengthily" + 城 "kasbah").
        guard segments.count > 1, segments.allSatisfy({ $0.count > 1 }) else { return [] }
        let words = segments.compactMap { dictionary.english(forChinese: $0).first }
        return words.isEmpty ? [] : [words.joined(separator: " ")]
    }
}
