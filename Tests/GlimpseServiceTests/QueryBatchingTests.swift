import Dispatch
import Foundation
import GlimpseAPI
import GlimpseEmbedding
import GlimpseTestSupport
import Synchronization
import Testing

@testable import GlimpseService

/// TEST ONLY: once armed, the next query-role call blocks until `release()`, so a test can queue searches behind
/// a running batch without depending on timing.
final class TestOnlyGatedEmbedder: TextEmbedder {
    private let base: any TextEmbedder
    private let gate = DispatchSemaphore(value: 0)
    private let armed = Mutex(false)

    init(_ base: any TextEmbedder) { self.base = base }

    var spaceName: String { base.spaceName }
    var dimension: Int { base.dimension }

    func embed(_ texts: [String], role: EmbeddingRole) throws -> [[Float]] {
        let blocks =
            role == .query
            && armed.withLock { armed in
                defer { armed = false }
                return armed
            }
        if blocks { gate.wait() }
        return try base.embed(texts, role: role)
    }

    func arm() { armed.withLock { $0 = true } }
    func release() { gate.signal() }
}

/// Concurrent searches share forward passes; repeated texts come from the cache; the cache stays within its bytes.
struct QueryBatchingTests {
    private static let names = ["dog", "cat", "horse", "bird", "fish", "tree", "boat", "car"]

    private func configuration(_ fixture: ServiceFixture, cacheEntries: Int) -> ServiceConfiguration {
        var configuration = ServiceConfiguration(dataDirectory: fixture.dataDirectory)
        // One batch at a time, so every search that arrives while the first batch runs joins the second.
        configuration.blockingThreads = 2
        configuration.queryVectorCacheEntries = cacheEntries
        return configuration
    }

    /// A running service over `names` whose embedder can hold a batch at a gate, with the cache off so that every
    /// search embeds its texts.
    private func withGatedService(
        _ body: (GlimpseService, TestOnlyCountingEmbedder, TestOnlyGatedEmbedder) async throws -> Void
    ) async throws {
        let fixture = try ServiceFixture()
        defer { fixture.remove() }
        let counting = TestOnlyCountingEmbedder(TestOnlyHashingEmbedder())
        let gated = TestOnlyGatedEmbedder(counting)
        let service = try fixture.makeService(embedder: gated, configuration: configuration(fixture, cacheEntries: 0))
        try await withRunningService(service) { service in
            try await ingestNamed(Self.names, into: service, fixture: fixture)
            try await body(service, counting, gated)
        }
    }

    @Test func concurrentSearchesShareForwardPassesAndGetTheSequentialResults() async throws {
        try await withGatedService { service, counting, gated in
            let queries = Self.names.map { "a \($0)" }
            var sequential: [String: [String]] = [:]
            for query in queries {
                sequential[query] = try await service.search(query, k: 3, ef: nil, align: false).results.map(\.id)
            }
            counting.reset()
            gated.arm()
            let batcher = try #require(service.searchEngine.queryEmbedding[gated.spaceName])
            let concurrent = try await withThrowingTaskGroup(of: (String, [String]).self) { group in
                for query in queries {
                    group.addTask {
                        (query, try await service.search(query, k: 3, ef: nil, align: false).results.map(\.id))
                    }
                }
                // The first query's batch is held at the gate until every other query has queued behind it.
                for _ in 0..<6_000 where batcher.queuedTexts < queries.count - 1 {
                    try await Task.sleep(for: .milliseconds(1))
                }
                #expect(batcher.queuedTexts == queries.count - 1)
                gated.release()
                var results: [String: [String]] = [:]
                for try await (query, ids) in group { results[query] = ids }
                return results
            }
            #expect(concurrent == sequential)
            let calls = counting.queryCalls
            #expect(calls.count == 2, "\(calls.map(\.texts))")
            #expect(calls.map(\.texts.count).sorted() == [1, queries.count - 1])
            #expect(Set(calls.flatMap(\.texts)) == Set(queries))
            let status = try #require(try service.status().indexes[0].queryEmbedding)
            #expect(status.batches == queries.count + 2)
            #expect(status.batchedTexts == 2 * queries.count)
        }
    }

    @Test func searchesAskingForTheSameTextTogetherEmbedItOnce() async throws {
        try await withGatedService { service, counting, gated in
            counting.reset()
            gated.arm()
            let batcher = try #require(service.searchEngine.queryEmbedding[gated.spaceName])
            let first = Task { try await service.search("a warm-up", k: 3, ef: nil, align: false) }
            // While the gate holds "a warm-up", four searches for "a dog" queue one text between them.
            let repeated = (0..<4).map { _ in Task { try await service.search("a dog", k: 3, ef: nil, align: false) } }
            for _ in 0..<6_000 where batcher.waitingSearches(for: "a dog") < 4 {
                try await Task.sleep(for: .milliseconds(1))
            }
            #expect(batcher.queuedTexts == 1)
            gated.release()
            _ = try await first.value
            var answers: [[String]] = []
            for task in repeated { answers.append(try await task.value.results.map(\.id)) }
            #expect(answers.allSatisfy { $0 == answers[0] && $0.first == "dog" })
            #expect(counting.queryCalls.flatMap(\.texts).filter { $0 == "a dog" }.count == 1)
        }
    }

    @Test func aRepeatedQueryIsServedFromTheCache() async throws {
        let fixture = try ServiceFixture()
        defer { fixture.remove() }
        let counting = TestOnlyCountingEmbedder(TestOnlyHashingEmbedder())
        let service = try fixture.makeService(
            embedder: counting, configuration: configuration(fixture, cacheEntries: 1_000))
        try await withRunningService(service) { service in
            try await ingestNamed(Self.names, into: service, fixture: fixture)
            counting.reset()
            let first = try await service.search("a horse", k: 3, ef: nil, align: false)
            #expect(counting.queryCalls.count == 1)
            counting.reset()
            let again = try await service.search("  a horse ", k: 3, ef: nil, align: false)
            #expect(counting.queryCalls.isEmpty)
            #expect(again.results.map(\.id) == first.results.map(\.id))
            let status = try #require(try service.status().indexes[0].queryEmbedding)
            #expect(status.cacheHits == 1)
            #expect(status.cacheMisses == 1)
            #expect(status.cacheEntries == 1)
        }
    }

    @Test func manyDistinctQueriesKeepTheCacheWithinItsBytes() async throws {
        let fixture = try ServiceFixture()
        defer { fixture.remove() }
        var configuration = configuration(fixture, cacheEntries: 1_000)
        let entryBytes = QueryVectorCache.cost(text: "query 00", vector: [Float](repeating: 0, count: 64))
        configuration.queryVectorCacheBytes = entryBytes * 10
        let service = try fixture.makeService(configuration: configuration)
        try await withRunningService(service) { service in
            try await ingestNamed(Self.names, into: service, fixture: fixture)
            for number in 0..<50 {
                _ = try await service.search(String(format: "query %02d", number), k: 3, ef: nil, align: false)
            }
            let status = try #require(try service.status().indexes[0].queryEmbedding)
            #expect(status.cacheBytes <= configuration.queryVectorCacheBytes)
            #expect(status.cacheEntries == 10)
            #expect(status.cacheEvictions == 40)
        }
    }
}
