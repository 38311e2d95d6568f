import GlimpseTokenizers

/// TEST ONLY: answers the reference token ids of the fixture texts (the real tokenizers live in GlimpseEmbedding and
/// are tested there), so CLIPEmbedder's text path can be checked against transformers without them. Unknown texts
/// give no ids, which the towers refuse.
struct TestOnlyFixtureTokenizer: TextTokenizer {
    let ids: [String: [Int]]
    let maximumLength: Int

    init(texts: [String], tokenIDs: [[Int]], maximumLength: Int) {
        ids = Dictionary(zip(texts, tokenIDs), uniquingKeysWith: { first, _ in first })
        self.maximumLength = maximumLength
    }

    func tokenIDs(_ text: String) -> [Int] { ids[text] ?? [] }
}
