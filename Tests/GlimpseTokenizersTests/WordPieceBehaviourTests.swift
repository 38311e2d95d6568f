import Foundation
import GlimpseTokenizers
import Testing

/// Focused behaviours of the BERT WordPiece tokenizer on the Chinese-CLIP fixture vocabulary; expectations are ids
/// looked up in vocab.txt or equalities between texts.
@Suite struct WordPieceBehaviourTests {
    let tokenizer: WordPieceTokenizer
    let vocabulary: [String: Int]

    init() throws {
        tokenizer = try TokenizerFixtures.chineseCLIP()
        vocabulary = try TokenizerFixtures.chineseCLIPVocabulary()
    }

    /// [CLS] + the tokens' ids + [SEP].
    func framed(_ tokens: [String]) -> [Int] {
        [vocabulary["[CLS]"]!] + tokens.map { vocabulary[$0]! } + [vocabulary["[SEP]"]!]
    }

    func vocabularyLines() throws -> [String] {
        try String(contentsOf: TokenizerFixtures.chineseCLIPFolder.appendingPathComponent("vocab.txt"), encoding: .utf8)
            .split(separator: "\n").map(String.init)
    }

    @Test func textIsFramedByClassifierAndSeparator() {
        #expect(tokenizer.tokenIDs("") == framed([]))
        #expect(tokenizer.tokenIDs("dog") == framed(["dog"]))
    }

    @Test func chineseCharactersAreSplitOnePerToken() {
        #expect(tokenizer.tokenIDs("小狗猫") == framed(["小", "狗", "猫"]))
        #expect(tokenizer.tokenIDs("dog狗cat") == framed(["dog", "狗", "cat"]))
        // A CJK character outside the vocabulary is one [UNK] and does not swallow its neighbours.
        #expect(tokenizer.tokenIDs("小龙狗") == framed(["小", "[UNK]", "狗"]))
    }

    @Test func kanaAndHangulAreNotSplitLikeChineseCharacters() {
        // ひらがな is one word (one [UNK]), not four.
        #expect(tokenizer.tokenIDs("ひらがな") == framed(["[UNK]"]))
        #expect(tokenizer.tokenIDs("한국어") == framed(["[UNK]"]))
    }

    @Test func accentsAreStrippedWhenLowercasing() {
        #expect(tokenizer.tokenIDs("Café RÉSUMÉ naïve") == tokenizer.tokenIDs("cafe resume naive"))
        #expect(tokenizer.tokenIDs("é") == framed(["e"]))
    }

    @Test func accentsAreKeptWithoutLowercasingOrWhenStrippingIsOff() throws {
        let cased = try WordPieceTokenizer(vocabulary: vocabularyLines(), lowercase: false)
        #expect(cased.tokenIDs("é") == framed(["é"]))
        let lowercasingOnly = try WordPieceTokenizer(
            vocabulary: vocabularyLines(), lowercase: true, stripAccents: false)
        #expect(lowercasingOnly.tokenIDs("É") == framed(["é"]))
    }

    @Test func compatibilityIdeographsDecomposeToTheirUnifiedForm() {
        // Stripping accents runs NFD, which maps U+FA08 to U+884C 行.
        #expect(tokenizer.tokenIDs("\u{FA08}") == framed(["行"]))
    }

    @Test func greedyLongestMatchUsesContinuationPieces() {
        #expect(tokenizer.tokenIDs("dogs") == framed(["dog", "##s"]))
        #expect(tokenizer.tokenIDs("xyz") == framed(["x", "##y", "##z"]))
    }

    @Test func unmatchedPartMakesTheWholeWordUnknown() {
        #expect(tokenizer.tokenIDs("dog🥰") == framed(["[UNK]"]))
        #expect(tokenizer.tokenIDs("dog 🥰 cat") == framed(["dog", "[UNK]", "cat"]))
    }

    @Test func wordsLongerThan100CharactersAreUnknown() {
        let long = tokenizer.withMaximumLength(1_000)
        #expect(long.tokenIDs(String(repeating: "a", count: 100)) == framed(["a"] + Array(repeating: "##a", count: 99)))
        #expect(long.tokenIDs(String(repeating: "a", count: 101)) == framed(["[UNK]"]))
    }

    @Test func punctuationIncludingASCIISymbolsIsSplitOff() {
        #expect(tokenizer.tokenIDs("a$b^c,d。") == framed(["a", "$", "b", "^", "c", ",", "d", "。"]))
        // © is a symbol, not punctuation: it stays inside its word, which then has no pieces.
        #expect(tokenizer.tokenIDs("a©b") == framed(["[UNK]"]))
    }

    @Test func controlAndFormatCharactersAreRemoved() {
        let dog = tokenizer.tokenIDs("dog")
        #expect(tokenizer.tokenIDs("d\u{0}o\u{200B}g\u{AD}") == dog)
        #expect(tokenizer.tokenIDs("do\u{FFFD}g\u{7}\u{E000}") == dog)
    }

    @Test func whitespaceOfAnyKindSeparatesWords() {
        #expect(tokenizer.tokenIDs("a\u{3000}b\u{A0}c\td\ne") == tokenizer.tokenIDs("a b c d e"))
        #expect(tokenizer.tokenIDs("a\u{3000}b") == framed(["a", "b"]))
    }

    @Test func specialTokenTypedInTheTextKeepsItsID() {
        #expect(tokenizer.tokenIDs("x[MASK]y") == framed(["x", "[MASK]", "y"]))
        #expect(tokenizer.tokenIDs("[mask]") == framed(["[", "m", "##a", "##s", "##k", "]"]))
    }

    @Test func truncationKeepsTheSeparator() {
        let text = String(repeating: "一只非常可爱的小猫咪", count: 10)
        let full = tokenizer.withMaximumLength(10_000).tokenIDs(text)
        let cut = tokenizer.tokenIDs(text)
        TokenizerFixtures.expectTruncated(cut, from: full, to: 52, endingWith: vocabulary["[SEP]"])
    }

    @Test func megabyteTextsAreCutToTheMaximumLength() {
        let text = String(repeating: "一只猫 a cat, ", count: 100_000)
        #expect(text.utf8.count > 1_000_000)
        #expect(tokenizer.tokenIDs(text).count == 52)
        #expect(tokenizer.tokenIDs(String(repeating: "a", count: 1_000_000)) == framed(["[UNK]"]))
        let marks = "a" + String(repeating: "\u{301}\u{316}", count: 200_000)
        #expect(tokenizer.tokenIDs(marks) == framed(["a"]))
    }
}
