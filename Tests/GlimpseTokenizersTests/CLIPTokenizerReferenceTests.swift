import GlimpseTokenizers
import Testing

/// CLIP's byte-level BPE against `transformers`' CLIPTokenizer on the 48 fixture texts (Chinese, English, mixed,
/// punctuation, emoji, accents, combining marks, full-width, Korean/Russian/Japanese, whitespace, empty, long).
@Suite struct CLIPTokenizerReferenceTests {
    @Test func tokenIDsMatchTransformersForEveryFixtureText() throws {
        let tokenizer = try TokenizerFixtures.clip()
        let family = try TokenizerFixtures.reference().clip
        #expect(family.texts.count == 48)
        let result = TokenizerFixtures.mismatches(family, tokenizer.tokenIDs)
        #expect(result.agreeing == family.texts.count,
                "\(result.agreeing)/\(family.texts.count) texts agree; mismatches:\n\(result.report)")
    }

    @Test func fixtureCoversTruncation() throws {
        let family = try TokenizerFixtures.reference().clip
        #expect(family.token_ids.contains { $0.count == 77 }, "the fixture needs texts longer than the context")
    }
}
