import GlimpseTokenizers
import Testing

/// CLIP's byte-level BPE against `transformers`' CLIPTokenizer on the 48 fixture texts (Chinese, English, mixed,
/// punctuation, emoji, accents, combining marks, full-width, Korean/Russian/Japanese, whitespace, empty, long).
@Suite struct CLIPTokenizerReferenceTests {
    @Test func tokenIDsMatchTransformersForEveryFixtureText() throws {
        let family = try TokenizerFixtures.reference().clip
        TokenizerFixtures.expectAgreement(family, try TokenizerFixtures.clip().tokenIDs)
    }

    @Test func fixtureCoversTruncation() throws {
        let family = try TokenizerFixtures.reference().clip
        #expect(family.tokenIDs.contains { $0.count == 77 }, "the fixture needs texts longer than the context")
    }
}
