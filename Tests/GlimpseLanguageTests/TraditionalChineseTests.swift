import Foundation
import GlimpseLanguage
import Testing

/// Issue 12.9: CC-CEDICT lists a traditional and a simplified headword per entry; a Traditional Chinese query (貓)
/// is looked up by its simplified form, so it gets the same translations as 猫.
struct TraditionalChineseTests {
    let dictionary = try! BilingualDictionary.load(
        contentsOf: writeTemporary(sampleEnWords), cedictPath: writeTemporary(sampleCedict))

    @Test func traditionalTextIsConvertedToSimplified() {
        #expect(dictionary.simplified("貓") == "猫")
        #expect(dictionary.simplified("長城") == "长城")
        // Longest match over the traditional headwords, then character by character; unknown characters stay.
        #expect(dictionary.simplified("長城汽車") == "长城汽车")
        #expect(dictionary.simplified("小熊貓") == "小熊猫")
        #expect(dictionary.simplified("貓x") == "猫x")
        // Simplified text, and text the same in both forms, is left alone.
        #expect(dictionary.simplified("猫") == "猫")
        #expect(dictionary.simplified("狗") == "狗")
    }

    @Test func traditionalQueriesGetTheSimplifiedFormsTranslations() {
        let translator = QueryTranslator(dictionary: dictionary)
        #expect(translator.candidates(for: QueryPart("貓", .chinese)) == ["cat"])
        #expect(translator.candidates(for: QueryPart("長城", .chinese)) == ["great wall"])
        #expect(translator.candidates(for: QueryPart("小熊貓", .chinese)) == ["lesser panda", "red panda"])
        // Composition from segments works on the converted text too.
        #expect(translator.candidates(for: QueryPart("長城汽車", .chinese)) == ["great wall car"])
    }

    @Test func withoutCedictNothingIsConverted() throws {
        let wordList = try BilingualDictionary.load(contentsOf: writeTemporary(sampleEnWords))
        #expect(wordList.simplified("貓") == "貓")
    }

    @Test func tokenEstimateCountsHanCharactersAndWords() {
        #expect(TokenEstimate.count("红色汽车 red car") == 6)
        #expect(TokenEstimate.count("a dog's 2 bones!") == 5)
        #expect(TokenEstimate.count("") == 0)
        #expect(TokenEstimate.count("  ，。 ") == 0)
    }
}
