import Foundation
import GlimpseAPI
import Testing

@testable import GlimpseService

/// Within one aligned query each distinct text is embedded once, and a space's texts go to the embedder in one
/// batch; the hits are those the fixture's dictionary and embedder make right.
struct QueryEmbeddingTests {
    /// Chinese words embed as their English meaning, so "nearest candidate" has one right answer.
    private static let meanings = [
        "勺子": "spoon", "蝙蝠": "bat animal", "球棒": "bat club", "蝠": "flying mammal",
        "猫": "cat", "猫咪": "cat kitty", "喵": "meow",
    ]
    private static let words = """
        "word","translation"
        "bat","n.蝙蝠,球棒"
        "dog","n.狗"
        "ladle","n.勺子"
        "spoon","n.勺子"
        "feline","n.猫"

        """
    private static let cedict = """
        # CC-CEDICT
        勺子 勺子 [shao2 zi5] /scoop/ladle/spoon/
        蝙蝠 蝙蝠 [bian1 fu2] /bat/
        球棒 球棒 [qiu2 bang4] /bat/
        蝠 蝠 [fu2] /bat/
        貓 猫 [mao1] /cat/feline/
        貓咪 猫咪 [mao1 mi1] /cat/
        喵 喵 [miao1] /cat/

        """

    private func service(fixture: ServiceFixture, embedder: TestOnlyCountingEmbedder, cacheEntries: Int = 20_000)
        throws -> GlimpseService
    {
        let wordsURL = fixture.directory.appendingPathComponent("EnWords.csv")
        try Data(Self.words.utf8).write(to: wordsURL)
        let cedictURL = fixture.directory.appendingPathComponent("cedict_ts.u8")
        try Data(Self.cedict.utf8).write(to: cedictURL)
        var configuration = ServiceConfiguration(dataDirectory: fixture.dataDirectory)
        configuration.dictionaryPath = wordsURL.path
        configuration.cedictPath = cedictURL.path
        configuration.queryVectorCacheEntries = cacheEntries
        return try fixture.makeService(embedder: embedder, configuration: configuration)
    }

    /// Ingests items whose single caption is exactly the given text (in the given language), then runs one search
    /// and returns its response with the query-role embedder calls it made.
    private func search(
        _ query: String, k: Int, align: Bool = true, items captions: [(id: String, language: String, text: String)]
    ) async throws -> (response: SearchResponse, calls: [TestOnlyCountingEmbedder.Call]) {
        let fixture = try ServiceFixture()
        defer { fixture.remove() }
        let embedder = TestOnlyCountingEmbedder(TestOnlyGlossingEmbedder(meanings: Self.meanings))
        return try await withRunningService(try service(fixture: fixture, embedder: embedder)) { service in
            let items = try captions.map {
                IngestItem(id: $0.id, imagePath: try fixture.image("\($0.id).jpg"), captions: [$0.language: $0.text])
            }
            let job = try await waitForJob(try service.ingest(items).jobID, in: service)
            #expect(job.inserted == captions.count)
            embedder.reset()
            let response = try await service.search(query, k: k, ef: nil, align: align)
            let calls = embedder.queryCalls
            let texts = calls.flatMap(\.texts)
            #expect(Set(texts).count == texts.count, "a text was embedded twice: \(calls.map(\.texts))")
            return (response, calls)
        }
    }

    @Test func aChineseQueryEmbedsItsCandidatesOnceInOneBatch() async throws {
        let (response, calls) = try await search(
            "勺子", k: 4,
            items: [("scoop", "en", "scoop"), ("ladle", "en", "ladle"), ("spoon", "en", "spoon"), ("dog", "en", "dog")])
        // scoop is the dictionary's main sense; of ladle and spoon the embedder finds spoon closest to 勺子.
        #expect(response.searched == ["勺子", "scoop", "spoon"])
        #expect(Set(response.results.prefix(2).map(\.id)) == ["scoop", "spoon"])
        // Before, 勺子, ladle and spoon were embedded to choose, then 勺子, scoop and spoon again to search.
        #expect(calls.count == 1)
        #expect(Set(calls.flatMap(\.texts)) == ["勺子", "scoop", "ladle", "spoon"])
    }

    @Test func anEnglishQueryWithTwoSensesEmbedsEveryVariantInOneBatch() async throws {
        let (response, calls) = try await search(
            "bat", k: 4,
            items: [
                ("bat-animal", "zh", "蝙蝠"), ("bat-club", "zh", "球棒"), ("dog", "en", "dog"), ("spoon", "en", "spoon"),
            ])
        // Two senses, each its own stream: the main one (蝙蝠) ranks first, the other's best item second.
        #expect(response.searched == ["bat", "蝙蝠", "球棒"])
        #expect(response.results.prefix(2).map(\.id) == ["bat-animal", "bat-club"])
        // The synonyms (蝙蝠, 球棒, 蝠) are ranked against "bat" with the same vectors that are then searched.
        #expect(calls.count == 1)
        #expect(Set(calls.flatMap(\.texts)) == ["bat", "蝙蝠", "球棒", "蝠"])
    }

    /// The one case with a second batch: an English word known only through CC-CEDICT synonyms, where the
    /// back-translations to search depend on which synonym the embedder ranks first.
    @Test func aSynonymOnlyWordEmbedsItsBackTranslationsInASecondBatch() async throws {
        let (response, calls) = try await search(
            "cat", k: 3, items: [("cat", "zh", "猫"), ("kitten", "zh", "猫咪"), ("dog", "en", "dog")])
        #expect(response.searched == ["cat", "猫", "猫咪", "feline"])
        // Both exact matches are found first; which leads is the short-caption weight's (猫 is one token, 猫咪 two).
        #expect(Set(response.results.prefix(2).map(\.id)) == ["cat", "kitten"])
        #expect(calls.map(\.texts) == [["cat", "猫", "猫咪", "喵"], ["feline"]])
    }

    @Test func anUnalignedQueryEmbedsTheQueryOnce() async throws {
        let (response, calls) = try await search(
            "dog", k: 2, align: false, items: [("bat-animal", "zh", "蝙蝠"), ("dog", "en", "dog")])
        #expect(response.results.first?.id == "dog")
        #expect(calls == [.init(texts: ["dog"], role: .query)])
    }

    /// The cache holds the query and every dictionary word alignment embedded: asking again embeds nothing, and a
    /// query that shares dictionary words embeds only what is new.
    @Test func aRepeatedAlignedQueryEmbedsNothingAndSharedWordsAreCached() async throws {
        let fixture = try ServiceFixture()
        defer { fixture.remove() }
        let embedder = TestOnlyCountingEmbedder(TestOnlyGlossingEmbedder(meanings: Self.meanings))
        try await withRunningService(try service(fixture: fixture, embedder: embedder)) { service in
            let items = try ["scoop", "ladle", "spoon", "dog"].map {
                IngestItem(id: $0, imagePath: try fixture.image("\($0).jpg"), captions: ["en": $0])
            }
            _ = try await waitForJob(try service.ingest(items).jobID, in: service)
            embedder.reset()
            let first = try await service.search("勺子", k: 4, ef: nil, align: true)
            #expect(embedder.queryCalls.count == 1)
            embedder.reset()
            let again = try await service.search("勺子", k: 4, ef: nil, align: true)
            #expect(embedder.queryCalls.isEmpty)
            #expect(again.results.map(\.id) == first.results.map(\.id))
            #expect(again.searched == first.searched)
            // spoon → 勺子 → scoop, spoon: of its texts only "spoon"'s own back-translation candidates are new.
            embedder.reset()
            _ = try await service.search("spoon", k: 4, ef: nil, align: true)
            let texts = embedder.queryCalls.flatMap(\.texts)
            #expect(!texts.contains("勺子") && !texts.contains("scoop") && !texts.contains("ladle"), "\(texts)")
        }
    }

    /// Aligned searches run together (their texts batched with one another's) answer as they do one by one.
    @Test func concurrentAlignedSearchesAnswerAsSequentialOnes() async throws {
        let fixture = try ServiceFixture()
        defer { fixture.remove() }
        let embedder = TestOnlyCountingEmbedder(TestOnlyGlossingEmbedder(meanings: Self.meanings))
        // The cache is off, so every search embeds again.
        let service = try service(fixture: fixture, embedder: embedder, cacheEntries: 0)
        try await withRunningService(service) { service in
            let captions =
                [("scoop", "en", "scoop"), ("spoon", "en", "spoon"), ("bat-animal", "zh", "蝙蝠")]
                + [("bat-club", "zh", "球棒"), ("cat", "zh", "猫"), ("dog", "en", "dog")]
            let items = try captions.map {
                IngestItem(id: $0.0, imagePath: try fixture.image("\($0.0).jpg"), captions: [$0.1: $0.2])
            }
            _ = try await waitForJob(try service.ingest(items).jobID, in: service)
            let queries = ["勺子", "bat", "cat", "dog", "猫", "spoon"]
            var sequential: [String: SearchResponse] = [:]
            for query in queries { sequential[query] = try await service.search(query, k: 4, ef: nil, align: true) }
            let concurrent = try await withThrowingTaskGroup(of: (String, SearchResponse).self) { group in
                for query in queries {
                    group.addTask { (query, try await service.search(query, k: 4, ef: nil, align: true)) }
                }
                var responses: [String: SearchResponse] = [:]
                for try await (query, response) in group { responses[query] = response }
                return responses
            }
            for query in queries {
                #expect(concurrent[query]?.results == sequential[query]?.results, "\(query)")
                #expect(concurrent[query]?.searched == sequential[query]?.searched, "\(query)")
            }
        }
    }
}
