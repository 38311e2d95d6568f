import GlimpseTokenizers
import Testing

/// Chinese-CLIP's WordPiece against `transformers`' BertTokenizer (do_lower_case, model_max_length 52) on the 48
/// fixture texts.
@Suite struct WordPieceReferenceTests {
    @Test func tokenIDsMatchTransformersForEveryFixtureText() throws {
        let family = try TokenizerFixtures.reference().chineseCLIP
        TokenizerFixtures.expectAgreement(family, try TokenizerFixtures.chineseCLIP().tokenIDs)
    }

    @Test func fixtureCoversTruncation() throws {
        let family = try TokenizerFixtures.reference().chineseCLIP
        #expect(family.tokenIDs.contains { $0.count == 52 }, "the fixture needs texts longer than 52 tokens")
    }
}
