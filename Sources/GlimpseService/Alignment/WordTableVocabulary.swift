import GlimpseLanguage

/// Which texts the word-vector table holds: everything the aligner asks vectors for when a query is one of the
/// dictionary's common words, English or Chinese. The aligner itself says what it needs (`textsNeeded`), so the
/// table follows the alignment rules instead of restating them.
///
/// The word list has 104,000 English headwords, most of them rare (aachen, aaal); embedding the closure of all of
/// them would take most of an hour. "Common" is read from the dictionaries themselves: a single lowercase word of
/// 2–15 letters that the word list glosses and that is the main gloss of at least one CC-CEDICT headword (about
/// 15,000 words), ranked by how many CC-CEDICT headwords and word-list glosses it has (dog: many; aardwolf: one),
/// of which the first `maxEnglishWords` are taken. The Chinese base words are those English words' main
/// translations (狗 for dog), so a Chinese query word finds its own candidates in the table too; the composition
/// glosses of the English words are added, so a phrase the dictionary lacks (red car) is composed from the table.
struct WordTableVocabulary {
    let aligner: QueryAligner

    /// The English query words, most common first.
    func englishWords(max maxEnglishWords: Int) -> [String] {
        let dictionary = aligner.translator.dictionary
        let ranked: [(word: String, weight: Int)] = dictionary.englishHeadwords.compactMap { word in
            guard (2...15).contains(word.count), word.allSatisfy({ $0.isASCII && $0.isLowercase && $0.isLetter }) else {
                return nil
            }
            let synonyms = dictionary.cedictSynonyms(forEnglish: word).count
            let glosses = dictionary.mainChinese(forEnglish: word).count
            guard synonyms > 0, glosses > 0 else { return nil }
            return (word, synonyms + glosses)
        }
        return ranked.sorted { ($0.weight, $1.word) > ($1.weight, $0.word) }.prefix(max(0, maxEnglishWords)).map(\.word)
    }

    /// The texts aligning `query` needs vectors for that `known` lacks (each once, first use first).
    func textsNeeded(for query: String, known: [String: [Float]]) -> [String] {
        var resolution = QueryAligner.Resolution(aligner: aligner, vectors: known)
        _ = resolution.align(query)
        return resolution.missing
    }

    /// The texts composing a phrase with this English word needs: the word and its composition glosses (a phrase
    /// the dictionary lacks takes each word's gloss closest to the word; `QueryAligner`).
    func compositionTexts(of word: String) -> [String] {
        let glosses = aligner.translator.compositionGlosses(ofWord: word)
        return glosses.count > 1 ? [word] + glosses : []
    }

    /// The Chinese query words: each English word's main translations (as many as it has senses searched), those
    /// that are dictionary headwords, each once, in the English words' order.
    func chineseWords(translating englishWords: [String]) -> [String] {
        var seen: Set<String> = []
        var words: [String] = []
        for english in englishWords {
            for chinese in aligner.translator.candidates(for: QueryPart(english, .english)).prefix(aligner.maxSenses)
            where seen.insert(chinese).inserted {
                guard case .single(.chinese) = LanguageDetector.detect(chinese),
                    aligner.translator.dictionary.knows(chinese: chinese)
                else { continue }
                words.append(chinese)
            }
        }
        return words
    }
}
