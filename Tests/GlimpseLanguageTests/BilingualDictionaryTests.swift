import Foundation
import GlimpseLanguage
import GlimpseTestSupport
import Testing

/// A few lines in the format of cedict 0.1.0's EnWords.csv (copied from it).
let sampleEnWords = """
    "word","translation"
    "apple","n.苹果,似苹果的果实"
    "bat","n.蝙蝠,球棒v.用球棒击球 [计] 批处理文件的扩展名 [军] Basic Armor Training,装甲兵基础训练"
    "car","n.汽车,小汽车,车辆,客车,[铁]车厢"
    "dog","n.狗,犬,类似犬的动物,卑鄙的人,小人,坏蛋vt.跟踪,尾随"
    "pooch","n.<俚>狗"
    "red","n.红色,红衣服,红颜料,赤字,亏空adj.红(色)的,革命的"
    "hedgehog","n.猬"
    "acetabula",NULL

    """

struct BilingualDictionaryTests {
    let dictionary = try! BilingualDictionary.load(contentsOf: writeTemporary(sampleEnWords))

    @Test func englishHeadwordsGiveTheirGlossesInOrderWithoutTagsOrNotes() {
        #expect(dictionary.chinese(forEnglish: "dog") == ["狗", "犬", "类似犬的动物", "卑鄙的人", "小人", "坏蛋", "跟踪", "尾随"])
        #expect(dictionary.chinese(forEnglish: "bat").prefix(2) == ["蝙蝠", "球棒"])
        #expect(!dictionary.chinese(forEnglish: "bat").contains("计"))
        #expect(dictionary.chinese(forEnglish: "Apple") == ["苹果", "似苹果的果实"])
        #expect(dictionary.chinese(forEnglish: "cat").isEmpty)
    }

    @Test func chineseWordsMapBackMainSenseFirst() {
        // dog lists 狗 first and has many senses; pooch lists it first with one: dog is the likelier translation.
        #expect(dictionary.english(forChinese: "狗") == ["dog", "pooch"])
        #expect(dictionary.english(forChinese: "球棒") == ["bat"])
        #expect(dictionary.english(forChinese: "猫").isEmpty)
    }

    @Test func segmentsChineseByLongestKnownWords() {
        #expect(dictionary.segment(chinese: "红色汽车") == ["红色", "汽车"])
        #expect(dictionary.segment(chinese: "红色的车") == ["红色", "的", "车"])
    }

    @Test func translatorProposesGlossesAndComposesUnknownPhrases() {
        let translator = QueryTranslator(dictionary: dictionary)
        #expect(translator.candidates(for: QueryPart("dog", .english)).prefix(2) == ["狗", "犬"])
        // Long explanations (类似犬的动物) are not proposed as translations.
        #expect(!translator.candidates(for: QueryPart("dog", .english)).contains("类似犬的动物"))
        // A phrase the dictionary lacks is composed from each word's glosses, main senses first.
        #expect(translator.isComposed(QueryPart("red car", .english)))
        #expect(!translator.isComposed(QueryPart("dog", .english)))
        #expect(translator.candidates(for: QueryPart("red car", .english)).prefix(3) == ["红色汽车", "红色小汽车", "红色车辆"])
        #expect(translator.candidates(for: QueryPart("红色汽车", .chinese)) == ["red car"])
        #expect(translator.candidates(for: QueryPart("狗", .chinese)) == ["dog", "pooch"])
        #expect(translator.candidates(for: QueryPart("cars", .english)).first == "汽车")
    }

    @Test func aMissingFileIsAClearError() {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("no-such-dictionary-\(UUID()).csv")
            .path
        #expect(throws: DictionaryError.missing(path: path)) { try BilingualDictionary.load(contentsOf: path) }
        #expect(DictionaryError.missing(path: path).description.contains("scripts/fetch-dictionary.sh"))
    }

    @Test func aCorruptFileNamesTheLine() throws {
        let broken = writeTemporary("\"word\",\"translation\"\n\"dog\",\"n.狗\"\n\"cat,\"n.猫\"\n")
        #expect(
            throws: DictionaryError.corrupt(
                path: broken, line: 3, reason: "expected two quoted CSV fields, got \"\\\"cat,\\\"n.猫\\\"\"")
        ) {
            try BilingualDictionary.load(contentsOf: broken)
        }
    }

    @Test func aFileWithoutTheHeaderOrEntriesIsCorrupt() {
        for text in [
            "\"dog\",\"n.狗\"\n", "", "\"word\",\"translation\"\n", "\"word\",\"translation\"\n\"dog\",\"dog\"\n",
        ] {
            let path = writeTemporary(text)
            #expect {
                try BilingualDictionary.load(contentsOf: path)
            } throws: { error in
                guard case .corrupt = error as? DictionaryError else { return false }
                return true
            }
        }
    }

    @Test func bytesThatAreNotUTF8AreCorrupt() throws {
        let path = writeTemporary("")
        try Data([0x22, 0xFF, 0xFE, 0x22, 0x0A]).write(to: URL(fileURLWithPath: path))
        #expect(throws: DictionaryError.corrupt(path: path, line: 1, reason: "the file is not UTF-8 text")) {
            try BilingualDictionary.load(contentsOf: path)
        }
    }
}

func writeTemporary(_ text: String) -> String {
    try! ScratchDirectory("dictionary-test").write(Data(text.utf8), named: "dictionary.csv").path
}
