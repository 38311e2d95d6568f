import Foundation
import GlimpseAPI
import GlimpseCatalog
import GlimpseEmbedding
import GlimpseIndex
import GlimpseLanguage
import GlimpseTestSupport
import Testing

@testable import GlimpseService

/// Per-language centring reads its means from the catalog's language sums and each hit's c·m from the hit's own
/// vector: no search reads every vector, and scores equal centring on means recomputed from scratch.
@Suite struct LanguageMeansTests {
    private static let words = [
        "dog", "cat", "red", "blue", "car", "tree", "house", "river", "bird", "boat", "green", "small", "old", "sun",
    ]
    private static let hanzi = ["狗", "猫", "红色", "蓝色", "汽车", "树", "房子", "河", "鸟", "船", "绿色", "小", "老", "太阳"]

    /// Item `index`: an English caption, a Chinese one, or both, from a few words each.
    private func item(_ index: Int, fixture: ServiceFixture, salt: String = "") throws -> IngestItem {
        let pick = { (list: [String], offset: Int) in list[(index * 7 + offset) % list.count] }
        var captions: [String: String] = [:]
        if index % 3 != 1 {
            captions["en"] = "a \(pick(Self.words, 0)) \(pick(Self.words, index % 5 + 1)) \(index)\(salt)"
        }
        if index % 3 != 2 {
            captions["zh"] = "\(pick(Self.hanzi, 0)) \(pick(Self.hanzi, index % 4 + 2)) \(index)\(salt)"
        }
        return IngestItem(
            id: "item-\(index)", imagePath: try fixture.image("\(index).jpg", comment: "bytes \(index)\(salt)"),
            captions: captions)
    }

    private func ingest(_ items: [IngestItem], into service: GlimpseService) async throws {
        let job = try await withRunningService(service) { service in
            try await waitForJob(try service.ingest(items).jobID, in: service)
        }
        #expect(job.state == .done)
    }

    @Test func aRestartedServiceCentresItsFirstSearchWithoutReadingEveryVector() async throws {
        let fixture = try ServiceFixture()
        defer { fixture.remove() }
        let first = try fixture.makeService()
        try await ingest(try (0..<150).map { try item($0, fixture: fixture) }, into: first)
        let liveVectors = try first.catalog.counts().liveVectors
        #expect(liveVectors == 200)

        let restarted = try fixture.makeService()
        var before = restarted.catalog.vectorsRead
        let response = try await restarted.search("a red dog", k: 10, ef: nil, alignment: .centring)
        #expect(response.results.count == 10)
        // The search reads no catalog vector at all: its hits' vectors come from the (float32) index. (The former
        // means read all 200 vectors twice before the first centred search could run.)
        var read = restarted.catalog.vectorsRead - before
        #expect(read == 0, "the first centred search read \(read) vectors")

        // A delete moves the means without any pass over the vectors.
        _ = try restarted.delete(id: response.results[0].id)
        before = restarted.catalog.vectorsRead
        let afterDelete = try await restarted.search("a red dog", k: 10, ef: nil, alignment: .centring)
        read = restarted.catalog.vectorsRead - before
        #expect(read == 0, "the first centred search after a delete read \(read) vectors")
        #expect(!afterDelete.results.contains { $0.id == response.results[0].id })

        // Plain search reads no vector at all.
        before = restarted.catalog.vectorsRead
        _ = try await restarted.search("a red dog", k: 10, ef: nil, alignment: .off)
        #expect(restarted.catalog.vectorsRead == before)
    }

    /// An sq8 index holds 8-bit approximations of its vectors, so a centred search there reads its hits' vectors
    /// from the catalog as before (the float32 index gives them itself: the test above reads none).
    @Test func anSq8IndexCentresWithTheCatalogsVectors() async throws {
        let fixture = try ServiceFixture()
        defer { fixture.remove() }
        let configuration = ServiceConfiguration(
            dataDirectory: fixture.dataDirectory, hnsw: HNSWParameters(vectorEncoding: .sq8))
        let service = try fixture.makeService(configuration: configuration)
        try await ingest(try (0..<60).map { try item($0, fixture: fixture) }, into: service)
        let before = service.catalog.vectorsRead
        let response = try await service.search("a red dog", k: 10, ef: nil, alignment: .centring)
        #expect(response.results.count == 10)
        let read = service.catalog.vectorsRead - before
        #expect(read > 0 && read <= 100, "the centred search read \(read) vectors")
    }

    /// Exact per-language centring from scratch, in Double: every live caption vector summed per language, each
    /// language's mean shrunk toward the global mean (`LanguageMeans.priorCaptions`), a positive score scaled by the
    /// caption's length (`ShortCaptionWeight`: estimated tokens / 4, at most 1).
    private func expectedScores(query: String, queryLanguage: String, catalog: Catalog, space: String) throws
        -> [String: Double]
    {
        let stored = try catalog.vectors(space: space, after: 0, limit: 100_000)
        let owners = try catalog.hits(vectorIDs: stored.map(\.id))
        var sums: [String: (count: Int, sum: [Double])] = [:]
        var captions: [(owner: String, language: String, text: String, vector: [Double])] = []
        for vector in stored {
            guard let owner = owners[vector.id], let language = owner.captionLanguage else { continue }
            var entry = sums[language] ?? (0, [Double](repeating: 0, count: vector.vector.count))
            entry.count += 1
            for i in vector.vector.indices { entry.sum[i] += Double(vector.vector[i]) }
            sums[language] = entry
            captions.append(
                (owner.externalID, language, owner.captions[language] ?? "", vector.vector.map(Double.init)))
        }
        let lambda = LanguageMeans.priorCaptions
        let total = Double(sums.values.reduce(0) { $0 + $1.count })
        let dimension = sums.values.first?.sum.count ?? 0
        var global = [Double](repeating: 0, count: dimension)
        for entry in sums.values { for i in global.indices { global[i] += entry.sum[i] / (total + lambda) } }
        let means = sums.mapValues { entry in
            entry.sum.indices.map { (entry.sum[$0] + lambda * global[$0]) / (Double(entry.count) + lambda) }
        }
        func dot(_ x: [Double], _ y: [Double]) -> Double { zip(x, y).map { $0 * $1 }.reduce(0, +) }
        func minus(_ x: [Double], _ y: [Double]) -> [Double] { zip(x, y).map { $0 - $1 } }
        let q = try TestOnlyHashingEmbedder().embed([query], role: .query)[0].map(Double.init)
        var scores: [String: Double] = [:]
        for caption in captions {
            let mb = means[caption.language]!
            let ma = means[queryLanguage] ?? mb
            let a = minus(q, ma)
            let b = minus(caption.vector, mb)
            var score = min(1, max(-1, dot(a, b) / (dot(a, a).squareRoot() * dot(b, b).squareRoot())))
            if score > 0 { score *= min(1, Double(TokenEstimate.count(caption.text)) / 4) }
            scores[caption.owner] = max(scores[caption.owner] ?? -.infinity, score)
        }
        return scores
    }

    @Test func centredScoresEqualExactCentringAfterInsertsDeletesUpdatesAndARestart() async throws {
        let fixture = try ServiceFixture()
        defer { fixture.remove() }
        let service = try fixture.makeService()
        try await withRunningService(service) { service in
            let first = try await waitForJob(
                try service.ingest(try (0..<30).map { try item($0, fixture: fixture) }).jobID, in: service)
            #expect(first.inserted == 30)
            _ = try service.delete(id: "item-4")
            _ = try service.delete(id: "item-9")
            // New captions for two items: their old vectors are tombstoned, and the means must follow.
            let second = try await waitForJob(
                try service.ingest(try [3, 7].map { try item($0, fixture: fixture, salt: " again") }).jobID,
                in: service)
            #expect(second.state == .done)
            #expect(second.updated == 2)
        }

        for phase in ["live", "restarted"] {
            let current = phase == "live" ? service : try fixture.makeService()
            for (query, language) in [("a red dog", "en"), ("红色 狗", "zh"), ("blue boat", "en")] {
                let response = try await current.search(query, k: 10, ef: 200, alignment: .centring)
                let expected = try expectedScores(
                    query: query, queryLanguage: language, catalog: current.catalog, space: current.spaces[0].name)
                let ranking = expected.sorted { $0.value > $1.value }.prefix(10)
                // The same ranking, except that items whose exact scores lie within 1e-4 may swap places (the index
                // holds the float32 vectors, the catalog float16 ones).
                #expect(response.results.count == ranking.count, "\(phase) \(query)")
                for (result, want) in zip(response.results, ranking) {
                    let got = try #require(expected[result.id], "\(phase) \(query) \(result.id) is not a live caption")
                    #expect(abs(got - want.value) < 1e-4, "\(phase) \(query): \(result.id) ranked where \(want.key) is")
                }
                for result in response.results {
                    let want = try #require(expected[result.id])
                    #expect(abs(Double(result.score) - want) < 1e-4, "\(phase) \(query) \(result.id)")
                }
            }
        }
    }
}
