import Foundation
import GlimpseTokenizers
import Testing

/// Focused behaviours of the CLIP tokenizer on the fixture vocabulary. Expectations are stated as the words CLIP's
/// pre-tokenizer must produce (read back from the ids through vocab.json and the byte alphabet, whatever the
/// merges made of them), as ids looked up in vocab.json, or as equalities between texts.
@Suite struct CLIPTokenizerBehaviourTests {
    let tokenizer: ByteLevelBPETokenizer
    let vocabulary: [String: Int]
    let tokens: [Int: String]

    init() throws {
        tokenizer = try TokenizerFixtures.clip()
        vocabulary = try TokenizerFixtures.clipVocabulary()
        tokens = Dictionary(uniqueKeysWithValues: vocabulary.map { ($1, $0) })
    }

    /// The words behind the content ids: tokens joined, cut at "</w>", byte alphabet turned back into UTF-8.
    func words(_ text: String) -> [String] {
        let ids = tokenizer.tokenIDs(text)
        let spelt = ids.dropFirst().dropLast().map { tokens[$0] ?? "�" }.joined()
        return spelt.components(separatedBy: "</w>").dropLast().map { word in
            String(decoding: word.unicodeScalars.map { Self.byteOfSymbol[$0]! }, as: UTF8.self)
        }
    }

    /// GPT-2's bytes_to_unicode, inverted.
    static let byteOfSymbol: [Unicode.Scalar: UInt8] = {
        var table: [Unicode.Scalar: UInt8] = [:]
        var next: UInt32 = 256
        for byte in 0...255 {
            if (33...126).contains(byte) || (161...172).contains(byte) || (174...255).contains(byte) {
                table[Unicode.Scalar(UInt8(byte))] = UInt8(byte)
            } else {
                table[Unicode.Scalar(next)!] = UInt8(byte)
                next += 1
            }
        }
        return table
    }()

    func symbol(_ byte: UInt8) -> String { String(Self.byteOfSymbol.first { $0.value == byte }!.key) }

    @Test func textIsFramedByStartAndEndOfText() {
        let ids = tokenizer.tokenIDs("a photo of a dog")
        #expect(ids.first == vocabulary["<|startoftext|>"])
        #expect(ids.last == vocabulary["<|endoftext|>"])
        #expect(tokenizer.tokenIDs("") == [tokenizer.startOfTextID, tokenizer.endOfTextID])
        #expect(tokenizer.tokenIDs(" \n\t ") == [tokenizer.startOfTextID, tokenizer.endOfTextID])
    }

    @Test func whitespaceRunsAndCaseDoNotChangeTheTokens() {
        let plain = tokenizer.tokenIDs("a photo of a dog")
        #expect(tokenizer.tokenIDs("  A\tPHOTO\u{3000}of\u{00A0}a\n\n  Dog  ") == plain)
        #expect(tokenizer.tokenIDs("a\u{2028}photo\u{0085}of\u{000B}a dog") == plain)
    }

    @Test func wordsAreLetterRunsSingleDigitsAndPunctuationRuns() {
        #expect(words("Apple iPhone 15, ok?!") == ["apple", "iphone", "1", "5", ",", "ok", "?!"])
        #expect(words("3.14") == ["3", ".", "1", "4"])
        #expect(words("mixed中文English") == ["mixed中文english"])
    }

    @Test func contractionsAreSeparateWords() {
        #expect(words("it's we'll they've I'M") == ["it", "'s", "we", "'ll", "they", "'ve", "i", "'m"])
        #expect(words("o'clock") == ["o", "'", "clock"])
        #expect(words("!'s") == ["!'", "s"])
    }

    @Test func unknownCharactersBecomeByteTokens() throws {
        // 🥰 is F0 9F A5 B0; the tiny vocabulary has no merge for these bytes, so each stays a byte symbol.
        let expected = [symbol(0xF0), symbol(0x9F), symbol(0xA5), symbol(0xB0) + "</w>"].map { vocabulary[$0]! }
        #expect(tokenizer.tokenIDs("🥰") == [tokenizer.startOfTextID] + expected + [tokenizer.endOfTextID])
        #expect(words("🥰 control\u{1}char") == ["🥰", "control", "\u{1}", "char"])
    }

    @Test func specialTokenTypedInTheTextKeepsItsID() {
        let a = vocabulary["a</w>"]!
        let b = vocabulary["b</w>"]!
        let start = tokenizer.startOfTextID
        let end = tokenizer.endOfTextID
        #expect(tokenizer.tokenIDs("a<|endoftext|>b") == [start, a, end, b, end])
        #expect(tokenizer.tokenIDs("<|startoftext|>") == [start, start, end])
    }

    @Test func specialTokenInOtherCaseIsOrdinaryText() {
        #expect(words("<|ENDOFTEXT|>") == ["<|", "endoftext", "|>"])
        #expect(!tokenizer.tokenIDs("<|ENDOFTEXT|>").dropLast().contains(tokenizer.endOfTextID))
    }

    @Test func lowercasingIsCharacterByCharacter() {
        #expect(words("ΣΑΣ") == ["σασ"])  // no final sigma
        #expect(words("İstanbul") == ["i", "\u{307}", "stanbul"])  // İ lowercases to i + combining dot above
    }

    @Test func composedAndDecomposedAccentsGiveTheSameTokens() {
        #expect(tokenizer.tokenIDs("café") == tokenizer.tokenIDs("cafe\u{301}"))
        #expect(words("cafe\u{301}") == ["café"])
    }

    @Test func canonicallyEquivalentMarkOrdersGiveTheSameTokens() {
        // NFC puts marks in combining-class order: U+0F75 is U+0F71 U+0F74 (classes 129, 132), before U+0330 (220).
        #expect(tokenizer.tokenIDs("a\u{330}\u{F75}") == tokenizer.tokenIDs("a\u{F71}\u{F74}\u{330}"))
        #expect(words("a\u{330}\u{F75}") == ["a", "\u{F71}\u{F74}\u{330}"])
        #expect(tokenizer.tokenIDs("e\u{316}\u{301}") == tokenizer.tokenIDs("é\u{316}"))
        #expect(words("a\u{301}\u{334}") == ["á", "\u{334}"])
    }

    @Test func marksNewerThanUnicode9AreNotReorderedAsInTransformers() {
        // tokenizers normalises with Unicode 9.0 tables, where U+1DFA (Unicode 14, class 218) is an ordinary
        // character: U+0334 (class 1) is not moved before it.
        #expect(words("a\u{1DFA}\u{334}") == ["a", "\u{1DFA}\u{334}"])
        #expect(tokenizer.tokenIDs("a\u{1DFA}\u{334}") != tokenizer.tokenIDs("a\u{334}\u{1DFA}"))
    }

    @Test func truncationKeepsTheEndToken() {
        let text = String(repeating: "the quick brown fox jumps over the lazy dog ", count: 20)
        let full = tokenizer.withMaximumLength(10_000).tokenIDs(text)
        let cut = tokenizer.tokenIDs(text)
        TokenizerFixtures.expectTruncated(cut, from: full, to: 77, endingWith: tokenizer.endOfTextID)
    }

    @Test func megabyteTextsAreCutToTheContextLength() {
        let sentences = String(repeating: "一只猫 a cat, ", count: 100_000)
        #expect(sentences.utf8.count > 1_000_000)
        #expect(tokenizer.tokenIDs(sentences).count == 77)
        let oneWord = String(repeating: "a", count: 1_000_000)
        let ids = tokenizer.tokenIDs(oneWord)
        #expect(ids.count == 77)
        #expect(ids.last == tokenizer.endOfTextID)
        // One letter carrying 400,000 alternating accents: canonical reordering must not be quadratic.
        let marks = "a" + String(repeating: "\u{301}\u{316}", count: 200_000)
        #expect(tokenizer.tokenIDs(marks).count == 77)
    }

    @Test func concurrentCallersGetTheSameIDsAsASerialCaller() async throws {
        let texts = try TokenizerFixtures.reference().clip.texts
        let serial = texts.map(tokenizer.tokenIDs)
        let tokenizer = try TokenizerFixtures.clip()  // a fresh, empty word cache
        let results = await withTaskGroup(of: [[Int]].self) { group in
            for _ in 0..<8 {
                group.addTask {
                    var ids = [[Int]](repeating: [], count: texts.count)
                    for index in texts.indices.shuffled() { ids[index] = tokenizer.tokenIDs(texts[index]) }
                    return ids
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.count == 8)
        for result in results { #expect(result == serial) }
    }
}
