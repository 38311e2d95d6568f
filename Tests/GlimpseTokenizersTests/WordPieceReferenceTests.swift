import GlimpseTokenizers
import Testing

/// Chinese-CLIP's WordPiece against `transformers`' BertTokenizer (do_lower_case, model_max_length 52) on the 48
/// fixture texts.
@Suite struct WordPieceReferenceTests {
    @Test func tokenIDsMatchTransformersForEveryFixtureText() throws {
        let tokenizer = try TokenizerFixtures.chineseCLIP()
        let family = try TokenizerFixtures.reference().chinese_clip
        #expect(family.texts.count == 48)
        let result = TokenizerFixtures.mismatches(family, tokenizer.tokenIDs)
        #expect(result.agreeing == family.texts.count,
                "\(result.agreeing)/\(family.texts.count) texts agree; mismatches:\n\(result.report)")
    }

    @Test func fixtureCoversTruncation() throws {
        let family = try TokenizerFixtures.reference().chinese_clip
        #expect(family.token_ids.contains { $0.count == 52 }, "the fixture needs texts longer than 52 tokens")
    }
}
