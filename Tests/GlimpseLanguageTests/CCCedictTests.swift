import Foundation
import GlimpseLanguage
import Testing

/// A few lines in CC-CEDICT's format (copied from the 2023-11-07 release, CRLF line ends as shipped).
let sampleCedict = [
    "# CC-CEDICT",
    "#! entries=9",
    "貓 猫 [mao1] /cat/CL:隻|只[zhi1]/(dialect) to hide oneself/(coll.) modem/",
    "考拉 考拉 [kao3 la1] /koala (loanword)/",
    "樹袋熊 树袋熊 [shu4 dai4 xiong2] /koala/",
    "羊 羊 [Yang2] /surname Yang/",
    "羊 羊 [yang2] /sheep; goat/CL:頭|头[tou2],隻|只[zhi1]/",
    "長城 长城 [Chang2 cheng2] /the Great Wall/",
    "小熊貓 小熊猫 [xiao3 xiong2 mao1] /lesser panda (Ailurus fulgens); red panda/",
    "狗 狗 [gou3] /dog/CL:隻|只[zhi1],條|条[tiao2]/",
    "汽車 汽车 [qi4 che1] /car; automobile/CL:輛|辆[liang4]/",
    "",
].joined(separator: "\r\n")

struct CCCedictTests {
    let dictionary = try! BilingualDictionary.load(
        contentsOf: writeTemporary(sampleEnWords), cedictPath: writeTemporary(sampleCedict))

    @Test func chineseWordsGetCedictsCleanedGlossesFirst() {
        // Register-marked senses, classifiers, surnames, bracketed notes and a leading "the" are dropped.
        #expect(dictionary.english(forChinese: "猫") == ["cat"])
        #expect(dictionary.english(forChinese: "羊") == ["sheep", "goat"])
        #expect(dictionary.english(forChinese: "长城") == ["great wall"])
        #expect(dictionary.english(forChinese: "小熊猫") == ["lesser panda", "red panda"])
        #expect(dictionary.english(forChinese: "考拉") == ["koala"])
        // CC-CEDICT's glosses come before the word list's headwords, without repeats.
        #expect(dictionary.english(forChinese: "狗") == ["dog", "pooch"])
        #expect(dictionary.english(forChinese: "猬") == ["hedgehog"])
        #expect(dictionary.hasCedict)
        #expect(dictionary.cedictHeadwordCount == 8)
    }

    @Test func englishWordsGetTheHeadwordsWhoseMainGlossTheyAre() {
        #expect(dictionary.cedictSynonyms(forEnglish: "Koala") == ["考拉", "树袋熊"])
        #expect(dictionary.cedictSynonyms(forEnglish: "cat") == ["猫"])
        // Only a headword's first gloss counts: goat is 羊's second.
        #expect(dictionary.cedictSynonyms(forEnglish: "goat").isEmpty)
        #expect(dictionary.cedictSynonyms(forEnglish: "modem").isEmpty)
        // The word list keeps its senses; CC-CEDICT does not change them.
        #expect(dictionary.mainChinese(forEnglish: "bat") == ["蝙蝠", "球棒"])
    }

    @Test func translatorFallsBackToCedictForWordsTheListLacks() {
        let translator = QueryTranslator(dictionary: dictionary)
        #expect(translator.candidates(for: QueryPart("cat", .english)) == ["猫"])
        #expect(translator.candidates(for: QueryPart("cats", .english)) == ["猫"])
        #expect(!translator.hasSenses(QueryPart("cat", .english)))
        #expect(translator.hasSenses(QueryPart("dog", .english)))
        #expect(translator.synonyms(for: QueryPart("koala", .english)) == ["考拉", "树袋熊"])
        #expect(translator.candidates(for: QueryPart("长城", .chinese)) == ["great wall"])
        // Segmentation knows CC-CEDICT's words too.
        #expect(dictionary.segment(chinese: "长城汽车") == ["长城", "汽车"])
    }

    @Test func glossCleaningKeepsPlainTranslationsOnly() {
        let cleaned = { (gloss: String) in
            (try? BilingualDictionary.load(
                contentsOf: writeTemporary(sampleEnWords), cedictPath: writeTemporary("詞 词 [ci2] /\(gloss)/\n")))?
                .english(forChinese: "词") ?? []
        }
        #expect(cleaned("to run (fast); to jog") == ["run", "jog"])
        #expect(cleaned("see 跑步[pao3 bu4]").isEmpty)
        #expect(cleaned("(slang) awesome").isEmpty)
        #expect(cleaned("(zoology) bat") == ["bat"])
        #expect(cleaned("an apple") == ["apple"])
    }

    @Test func aMissingCedictIsAClearError() {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("no-cedict-\(UUID()).u8").path
        #expect(throws: DictionaryError.missing(path: path)) {
            try BilingualDictionary.load(contentsOf: writeTemporary(sampleEnWords), cedictPath: path)
        }
    }

    @Test func aMalformedCedictLineIsCorruptAtThatLine() {
        let path = writeTemporary("# comment\n狗 狗 [gou3] /dog/\n狗 狗 gou3 /dog/\n")
        #expect(
            throws: DictionaryError.corrupt(
                path: path, line: 3,
                reason: "expected `traditional simplified [pinyin] /gloss/`, got \"狗 狗 gou3 /dog/\"")
        ) {
            try BilingualDictionary.load(contentsOf: writeTemporary(sampleEnWords), cedictPath: path)
        }
        for text in ["", "# only comments\n", "詞 词 [ci2] /CL:個|个[ge4]/\n"] {
            let empty = writeTemporary(text)
            #expect {
                try BilingualDictionary.load(contentsOf: writeTemporary(sampleEnWords), cedictPath: empty)
            } throws: { error in
                guard case .corrupt(let errorPath, _, _) = error as? DictionaryError else { return false }
                return errorPath == empty
            }
        }
    }
}
