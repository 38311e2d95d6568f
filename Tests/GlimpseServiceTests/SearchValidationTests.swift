import Foundation
import Testing

@testable import GlimpseService

@Suite struct SearchValidationTests {
    private func code(_ query: String, k: Int? = nil, ef: Int? = nil) async throws -> String? {
        let fixture = try ServiceFixture()
        defer { fixture.remove() }
        let service = try fixture.makeService()
        do {
            _ = try await service.search(query, k: k, ef: ef)
            return nil
        } catch let error as ServiceError {
            return error.code
        }
    }

    @Test func refusesEmptyOverlongAndOutOfRangeQueries() async throws {
        #expect(try await code("   ") == "invalid_query")
        #expect(try await code(String(repeating: "狗", count: 1_001)) == "query_too_long")
        #expect(try await code("dog", k: 0) == "invalid_k")
        #expect(try await code("dog", k: 101) == "invalid_k")
        #expect(try await code("dog", ef: 0) == "invalid_ef")
        #expect(try await code("dog", ef: 100_000) == "invalid_ef")
    }

    @Test func searchingAnEmptyCatalogReturnsNoResults() async throws {
        let fixture = try ServiceFixture()
        defer { fixture.remove() }
        let service = try fixture.makeService()
        #expect(try await service.search("dog", k: 10, ef: nil).results.isEmpty)
    }
}
