import Testing

@testable import GlimpseService

/// The query-vector cache keeps the most recently used vectors within both of its bounds.
struct QueryVectorCacheTests {
    private func vector(_ value: Float, count: Int = 4) -> [Float] { [Float](repeating: value, count: count) }

    @Test func theLeastRecentlyUsedEntryIsEvictedFirst() {
        let cache = QueryVectorCache(limits: .init(maxEntries: 2, maxBytes: 1 << 20))
        cache.store([vector(1), vector(2)], for: ["a", "b"], role: .query)
        // Reading "a" makes "b" the least recently used, so storing "c" evicts "b".
        #expect(cache.vectors(for: ["a"], role: .query) == [vector(1)])
        cache.store([vector(3)], for: ["c"], role: .query)
        #expect(cache.vectors(for: ["a", "b", "c"], role: .query) == [vector(1), nil, vector(3)])
        let counters = cache.counters
        #expect(counters.entries == 2)
        #expect(counters.evictions == 1)
        #expect(counters.hits == 3)
        #expect(counters.misses == 1)
    }

    @Test func theByteBoundHoldsWhateverTheEntryBound() {
        let oneEntry = QueryVectorCache.cost(text: "t00", vector: vector(0, count: 384))
        let cache = QueryVectorCache(limits: .init(maxEntries: 1_000, maxBytes: oneEntry * 5 + oneEntry / 2))
        let texts = (0..<40).map { String(format: "t%02d", $0) }
        for text in texts { cache.store([vector(1, count: 384)], for: [text], role: .query) }
        let counters = cache.counters
        #expect(counters.entries == 5)
        #expect(counters.bytes <= cache.limits.maxBytes)
        #expect(counters.evictions == 35)
        // The five kept are the five stored last.
        #expect(cache.vectors(for: Array(texts.suffix(5)), role: .query).allSatisfy { $0 != nil })
        #expect(cache.vectors(for: [texts[34]], role: .query) == [nil])
    }

    @Test func rolesAreCachedApartAndZeroEntriesTurnsTheCacheOff() {
        let cache = QueryVectorCache(limits: .init(maxEntries: 10, maxBytes: 1 << 20))
        cache.store([vector(1)], for: ["dog"], role: .query)
        #expect(cache.vectors(for: ["dog"], role: .passage) == [nil])
        #expect(cache.vectors(for: ["dog"], role: .query) == [vector(1)])
        let off = QueryVectorCache(limits: .init(maxEntries: 0, maxBytes: 1 << 20))
        off.store([vector(1)], for: ["dog"], role: .query)
        #expect(off.vectors(for: ["dog"], role: .query) == [nil])
        #expect(off.counters.entries == 0)
    }

    @Test func storingAKnownTextAgainReplacesItsVector() {
        let cache = QueryVectorCache(limits: .init(maxEntries: 10, maxBytes: 1 << 20))
        cache.store([vector(1)], for: ["dog"], role: .query)
        cache.store([vector(2, count: 8)], for: ["dog"], role: .query)
        #expect(cache.vectors(for: ["dog"], role: .query) == [vector(2, count: 8)])
        #expect(cache.counters.entries == 1)
        #expect(cache.counters.bytes == QueryVectorCache.cost(text: "dog", vector: vector(2, count: 8)))
    }
}
