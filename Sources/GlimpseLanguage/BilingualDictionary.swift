import Foundation

/// A Chinese–English word list usable in both directions, loaded from cedict's `EnWords.csv`.
///
/// The file maps English headwords to Chinese glosses, in the order the dictionary lists them (first = main
/// sense). The reverse direction is built from the same entries: a Chinese word maps to every headword that
/// lists it, headwords listing it first before those listing it second, and among those the headwords with more
/// glosses first (common words have many senses, rare synonyms one: 狗 → dog before pooch).
public struct BilingualDictionary: Sendable {
    private let englishToChinese: [String: [String]]
    /// How many of an English word's glosses belong to its first part of speech.
    private let mainSenseCounts: [String: Int]
    private let chineseToEnglish: [String: [String]]
    /// CC-CEDICT, when loaded: a Chinese headword's English glosses, main sense first.
    private let cedictEnglish: [String: [String]]
    /// CC-CEDICT inverted: an English gloss → the headwords whose first gloss group lists it (synonyms: koala → 无尾熊,
    /// 树袋熊, 考拉), in file order. Which of them a caption uses is left to the embedder (`QueryAligner`).
    private let cedictChinese: [String: [String]]
    /// Longest Chinese key, bounding the longest-match segmentation.
    private let longestChineseKey: Int
    /// CC-CEDICT's traditional headwords that differ from their simplified form (貓 → 猫, 紅色 → 红色).
    private let traditionalToSimplified: [String: String]
    private let longestTraditionalKey: Int

    public var englishHeadwordCount: Int { englishToChinese.count }
    /// The word list's English headwords, lowercased, in no particular order (the word-vector table's vocabulary).
    public var englishHeadwords: [String] { Array(englishToChinese.keys) }
    public var chineseHeadwordCount: Int { chineseToEnglish.count }

    /// `entries`: English headword → the dictionary's translation text for it (EnWords.csv); `cedict`: Chinese
    /// headword → its cleaned English glosses (CC-CEDICT), empty when only EnWords is used; `traditional`:
    /// CC-CEDICT's traditional headwords → their simplified form.
    public init(
        entries: [(english: String, translation: String)], cedict: [(chinese: String, english: [String])] = [],
        traditional: [String: String] = [:]
    ) {
        var forward: [String: [String]] = [:]
        var mainCounts: [String: Int] = [:]
        var reverse: [String: [(position: Int, glossCount: Int, english: String)]] = [:]
        for (english, translation) in entries {
            let word = english.lowercased().trimmingCharacters(in: .whitespaces)
            let glosses = GlossParser.glosses(of: translation)
            guard !word.isEmpty, !glosses.isEmpty else { continue }
            if forward[word] == nil { mainCounts[word] = GlossParser.mainSenseCount(of: translation) }
            forward[word, default: []].append(contentsOf: glosses.filter { !(forward[word]?.contains($0) ?? false) })
            for (position, gloss) in glosses.enumerated() {
                reverse[gloss, default: []].append((position, glosses.count, word))
            }
        }
        englishToChinese = forward
        mainSenseCounts = mainCounts
        chineseToEnglish = reverse.mapValues { candidates in
            candidates
                .sorted {
                    ($0.position, -$0.glossCount, $0.english) < ($1.position, -$1.glossCount, $1.english)
                }
                .map(\.english)
        }
        var cedictForward: [String: [String]] = [:]
        var cedictReverse: [String: [String]] = [:]
        for (chinese, glosses) in cedict where !glosses.isEmpty {
            cedictForward[chinese] = glosses
            // Only the first gloss is the headword's main sense (猫: cat; not its dialect or slang senses).
            if !(cedictReverse[glosses[0]]?.contains(chinese) ?? false) {
                cedictReverse[glosses[0], default: []].append(chinese)
            }
        }
        cedictEnglish = cedictForward
        cedictChinese = cedictReverse
        longestChineseKey = max(reverse.keys.map(\.count).max() ?? 0, cedictForward.keys.map(\.count).max() ?? 0)
        traditionalToSimplified = traditional
        longestTraditionalKey = traditional.keys.map(\.count).max() ?? 0
    }

    /// Whether CC-CEDICT entries were loaded beside the word list.
    public var hasCedict: Bool { !cedictEnglish.isEmpty }
    public var cedictHeadwordCount: Int { cedictEnglish.count }

    /// Loads `EnWords.csv`. A missing, unreadable or malformed file is an error naming the problem.
    public static func load(contentsOf path: String) throws(DictionaryError) -> BilingualDictionary {
        try load(contentsOf: path, cedictPath: nil)
    }

    /// Loads `EnWords.csv` and, when `cedictPath` is given, CC-CEDICT (`cedict_ts.u8`) beside it. Either file
    /// missing, unreadable or malformed is an error naming that file and line.
    public static func load(contentsOf path: String, cedictPath: String?) throws(DictionaryError) -> BilingualDictionary
    {
        let rows = try EnWordsCSV.rows(of: try readText(path), path: path)
        var cedict: [(chinese: String, english: [String])] = []
        var traditional: [String: String] = [:]
        if let cedictPath {
            (cedict, traditional) = try CCCedict.read(try readText(cedictPath), path: cedictPath)
            guard !cedict.isEmpty else {
                throw .corrupt(path: cedictPath, line: 1, reason: "no entry has an English gloss")
            }
        }
        let dictionary = BilingualDictionary(
            entries: rows.map { ($0.word, $0.translation) }, cedict: cedict, traditional: traditional)
        guard dictionary.englishHeadwordCount > 0 else {
            throw .corrupt(path: path, line: rows[0].lineNumber, reason: "no entry has a Chinese gloss")
        }
        return dictionary
    }

    private static func readText(_ path: String) throws(DictionaryError) -> String {
        guard FileManager.default.fileExists(atPath: path) else { throw .missing(path: path) }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw .unreadable(path: path, reason: error.localizedDescription)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw .corrupt(path: path, line: 1, reason: "the file is not UTF-8 text")
        }
        return text
    }

    /// Chinese glosses of an English word or phrase, main sense first; empty if unknown.
    public func chinese(forEnglish word: String) -> [String] {
        englishToChinese[word.lowercased().trimmingCharacters(in: .whitespaces)] ?? []
    }

    /// The glosses of the English word's first part of speech only (bat → 蝙蝠, 球棒; not the verb's 用球棒击球).
    public func mainChinese(forEnglish word: String) -> [String] {
        let key = word.lowercased().trimmingCharacters(in: .whitespaces)
        guard let glosses = englishToChinese[key] else { return [] }
        return Array(glosses.prefix(max(1, mainSenseCounts[key] ?? glosses.count)))
    }

    /// English translations of a Chinese word, most likely first: CC-CEDICT's glosses of it (a Chinese → English
    /// dictionary, so its order is the word's own), then the word list's headwords glossed by it; empty if unknown.
    public func english(forChinese word: String) -> [String] {
        var result = cedictEnglish[word] ?? []
        for english in chineseToEnglish[word] ?? [] where !result.contains(english) { result.append(english) }
        return result
    }

    /// CC-CEDICT headwords whose main gloss is this English word or phrase, in file order; empty without CC-CEDICT.
    public func cedictSynonyms(forEnglish word: String) -> [String] {
        cedictChinese[word.lowercased().trimmingCharacters(in: .whitespaces)] ?? []
    }

    /// Whether either dictionary has this Chinese word as a (simplified) headword.
    public func knows(chinese word: String) -> Bool {
        cedictEnglish[word] != nil || chineseToEnglish[word] != nil
    }

    /// The simplified form of a Chinese text: unchanged if it is a known headword as it is, else converted by
    /// greedy longest match over CC-CEDICT's traditional headwords (貓 → 猫, 紅色汽車 → 红色汽车); characters no
    /// traditional headword starts with stay as they are.
    public func simplified(_ text: String) -> String {
        guard longestTraditionalKey > 0, !knows(chinese: text) else { return text }
        let characters = Array(text)
        var result = ""
        var start = 0
        while start < characters.count {
            var length = min(longestTraditionalKey, characters.count - start)
            while length > 0, traditionalToSimplified[String(characters[start..<start + length])] == nil {
                length -= 1
            }
            if length == 0 {
                result.append(characters[start])
                start += 1
            } else {
                result += traditionalToSimplified[String(characters[start..<start + length])]!
                start += length
            }
        }
        return result
    }

    /// Greedy longest-match segmentation of a Chinese run into dictionary words; characters no key starts with
    /// become one-character segments (so 红色汽车 → 红色, 汽车).
    public func segment(chinese text: String) -> [String] {
        let characters = Array(text)
        var segments: [String] = []
        var start = 0
        while start < characters.count {
            var length = min(longestChineseKey, characters.count - start)
            while length > 1, chineseToEnglish[String(characters[start..<start + length])] == nil,
                cedictEnglish[String(characters[start..<start + length])] == nil
            {
                length -= 1
            }
            segments.append(String(characters[start..<start + max(length, 1)]))
            start += max(length, 1)
        }
        return segments
    }
}
