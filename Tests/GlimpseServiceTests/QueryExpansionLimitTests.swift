import Foundation
import GlimpseAPI
import GlimpseEmbedding
import GlimpseLanguage
import GlimpseTestSupport
import Testing

@testable import GlimpseService

/// Issue 12.6: a long mixed query must not expand into hundreds of searched (and embedded) texts. Alignment adds
/// at most `maxParts` parts and, with them, at most `maxTexts` texts and `maxTokens` estimated tokens; the
/// response's `expansion_cut` says when a bound left something out.
struct QueryExpansionLimitTests {
    private static let pairs = [
        ("dog", "小狗"), ("cat", "小猫"), ("car", "汽车"), ("tree", "树木"), ("house", "房子"), ("river", "河流"),
        ("bird", "鸟儿"), ("boat", "小船"), ("apple", "苹果"), ("chair", "椅子"), ("table", "桌子"), ("lamp", "台灯"),
        ("phone", "手机"), ("clock", "时钟"), ("shoe", "鞋子"), ("book", "书本"), ("cup", "杯子"), ("door", "门口"),
        ("horse", "马匹"), ("flower", "花朵"),
    ]

    private func service(fixture: ServiceFixture, embedder: any TextEmbedder, limits: QueryExpansionLimits?)
        throws -> GlimpseService
    {
        let words = fixture.directory.appendingPathComponent("EnWords.csv")
        let rows = Self.pairs.map { "\"\($0.0)\",\"n.\($0.1)\"" }
        try Data((["\"word\",\"translation\""] + rows).joined(separator: "\n").utf8).write(to: words)
        var configuration = ServiceConfiguration(dataDirectory: fixture.dataDirectory)
        configuration.dictionaryPath = words.path
        if let limits { configuration.queryExpansion = limits }
        return try fixture.makeService(embedder: embedder, configuration: configuration)
    }

    /// About 1,000 characters alternating Chinese and English runs of two dictionary words each (汽车树木 car tree),
    /// every run a distinct part with a composed translation.
    private var longMixedQuery: String {
        var query = ""
        for step in 1..<Self.pairs.count {
            for first in Self.pairs.indices {
                let (a, b) = (Self.pairs[first], Self.pairs[(first + step) % Self.pairs.count])
                let next = "\(a.1)\(b.1) \(a.0) \(b.0) "
                guard query.unicodeScalars.count + next.unicodeScalars.count <= IngestLimits.maxQueryCharacters else {
                    return query
                }
                query += next
            }
        }
        return query
    }

    private func addedTokens(_ response: SearchResponse) -> Int {
        (response.searched ?? []).filter { $0 != response.query }.map(TokenEstimate.count).reduce(0, +)
    }

    @Test func aLongMixedQuerySearchesAtMostTheBoundsAndSaysSo() async throws {
        let query = longMixedQuery
        #expect(query.unicodeScalars.count > 900)
        let fixture = try ServiceFixture()
        defer { fixture.remove() }

        // Unbounded (the old behaviour), to show what the bounds prevent.
        let unboundedEmbedder = TestOnlyCountingEmbedder(TestOnlyHashingEmbedder())
        let unbounded = try service(
            fixture: fixture, embedder: unboundedEmbedder,
            limits: QueryExpansionLimits(maxParts: 64, maxTexts: 256, maxTokens: 4_096))
        let wide = try await withRunningService(unbounded) { service in
            try await ingestNamed(["dog", "cat"], into: service, fixture: fixture)
            unboundedEmbedder.reset()
            return try await service.search(query, k: 5, ef: nil)
        }
        let unboundedTexts = unboundedEmbedder.queryCalls.flatMap(\.texts).count
        #expect((wide.searched ?? []).count > 60, "unbounded, the query searched \(wide.searched?.count ?? 0) texts")

        // The defaults.
        let defaults = QueryExpansionLimits()
        let second = try ServiceFixture()
        defer { second.remove() }
        let embedder = TestOnlyCountingEmbedder(TestOnlyHashingEmbedder())
        let bounded = try service(fixture: second, embedder: embedder, limits: nil)
        let response = try await withRunningService(bounded) { service in
            try await ingestNamed(["dog", "cat"], into: service, fixture: second)
            embedder.reset()
            return try await service.search(query, k: 5, ef: nil)
        }
        let searched = try #require(response.searched)
        #expect(searched.first == response.query)
        #expect(searched.count <= defaults.maxTexts)
        #expect(addedTokens(response) <= defaults.maxTokens)
        #expect(response.expansionCut == true)
        // The parts are the query's first runs, at most maxParts of them.
        let parts = QuerySplitter.split(response.query).map(\.text)
        #expect(parts.count > 100)
        #expect(searched.contains(parts[0]))
        #expect(Set(parts.dropFirst(defaults.maxParts)).isDisjoint(with: searched))
        // Embedding follows: every text embedded is a searched text or a candidate of a kept part.
        let embedded = embedder.queryCalls.flatMap(\.texts).count
        #expect(embedded <= 40, "the bounded query embedded \(embedded) texts")
        #expect(embedded * 4 < unboundedTexts, "bounded \(embedded), unbounded \(unboundedTexts)")
        #expect(response.results.count == 2)

        // The wire form says it too.
        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(response)) as? [String: Any]
        #expect(json?["expansion_cut"] as? Bool == true)
    }

    @Test func tighterBoundsAreHonouredAndAShortQueryIsNotCut() async throws {
        let fixture = try ServiceFixture()
        defer { fixture.remove() }
        let limits = QueryExpansionLimits(maxParts: 2, maxTexts: 5, maxTokens: 6)
        let service = try service(fixture: fixture, embedder: TestOnlyHashingEmbedder(), limits: limits)
        try await withRunningService(service) { service in
            try await ingestNamed(["dog", "cat"], into: service, fixture: fixture)
            let long = try await service.search("小狗 dog 小猫 cat 汽车 car", k: 2, ef: nil)
            let searched = try #require(long.searched)
            #expect(searched.count <= 5)
            #expect(searched.dropFirst().filter { ["小狗", "dog", "小猫", "cat", "汽车", "car"].contains($0) }.count <= 2)
            #expect(addedTokens(long) <= 6)
            #expect(long.expansionCut == true)

            let short = try await service.search("dog", k: 2, ef: nil)
            #expect(short.searched == ["dog", "小狗"])
            #expect(short.expansionCut == false)
            #expect(short.results.first?.id == "dog")

            // Without the dictionary nothing is expanded, so nothing is said about cutting.
            let plain = try await service.search("dog", k: 2, ef: nil, alignment: .off)
            #expect(plain.expansionCut == nil)
        }
    }
}
