import GlimpseE5
import GlimpseEmbedding
import GlimpseTestSupport
import Testing

@Suite struct EmbeddingPropertiesTests {
    static let texts = [
        "红色汽车 red car", "a cat sitting on a windowsill", "", "🐶🐱", "  spaced   out  ", "東京タワーの夜景",
        "Crème brûlée", "Красная машина",
    ]

    @Test func embeddingsHaveUnitLengthAndModelDimension() throws {
        let embedder = try loadedEmbedder()
        #expect(embedder.dimension == 384)
        #expect(embedder.spaceName == "multilingual-e5-small")
        for vector in try embedder.embed(Self.texts, role: .passage) {
            #expect(vector.count == 384)
            let norm = vector.reduce(0) { $0 + $1 * $1 }.squareRoot()
            #expect(abs(norm - 1) < 1e-5)
        }
    }

    @Test func batchEmbeddingEqualsSingleTextEmbeddings() throws {
        let embedder = try loadedEmbedder()
        let batch = try embedder.embed(Self.texts, role: .query)
        #expect(batch.count == Self.texts.count)
        for (text, batched) in zip(Self.texts, batch) {
            let single = try #require(try embedder.embed([text], role: .query).first)
            let largest = zip(single, batched).map { abs($0 - $1) }.max() ?? .infinity
            #expect(largest <= 1e-5, "batch and single differ by \(largest) for \(text.debugDescription)")
        }
    }

    @Test func concurrentCallersGetTheSameVectorsAsSequentialOnes() async throws {
        let embedder = try loadedEmbedder()
        let sequential = try Self.texts.map { try embedder.embed([$0], role: .passage)[0] }
        let concurrent = try await withThrowingTaskGroup(of: (Int, [Float]).self) { group in
            for (index, text) in Self.texts.enumerated() {
                group.addTask { (index, try embedder.embed([text], role: .passage)[0]) }
            }
            var results = [[Float]](repeating: [], count: Self.texts.count)
            for try await (index, vector) in group { results[index] = vector }
            return results
        }
        for (a, b) in zip(concurrent, sequential) {
            #expect(a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= 1e-6 })
        }
    }

    @Test func emptyBatchGivesNoVectors() throws {
        #expect(try loadedEmbedder().embed([], role: .query).isEmpty)
    }

    @Test func queryAndPassageRolesUseDifferentPrefixes() throws {
        let embedder = try loadedEmbedder()
        let query = embedder.tokenIDs("red car", role: .query)
        let passage = embedder.tokenIDs("red car", role: .passage)
        #expect(query != passage)
        #expect(query.first == embedder.tokenizer.bosID && query.last == embedder.tokenizer.eosID)
        #expect(Array(query.suffix(3)) == Array(passage.suffix(3)))
    }

    @Test func crossLingualCaptionsAreCloserThanUnrelatedOnes() throws {
        let embedder = try loadedEmbedder()
        let vectors = try embedder.embed(["红色汽车", "a red car", "a bowl of soup"], role: .passage)
        #expect(cosine(vectors[0], vectors[1]) > cosine(vectors[0], vectors[2]))
    }
}
