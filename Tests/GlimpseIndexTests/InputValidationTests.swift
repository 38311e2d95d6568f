import GlimpseIndex
import Testing

/// Bad input must surface as a thrown error naming the problem, never a crash or a silently wrong index.
struct InputValidationTests {
    private func index() throws -> HNSWIndex {
        let index = try HNSWIndex(dimension: 4, parameters: HNSWParameters())
        try index.add(ids: [1, 2], vectors: [1, 0, 0, 0, 0, 1, 0, 0])
        return index
    }

    @Test func addWithWrongVectorLengthThrows() throws {
        let index = try index()
        #expect(throws: HNSWIndexError.self) { try index.add(ids: [3], vectors: [1, 0, 0]) }
        #expect(throws: HNSWIndexError.self) { try index.add(ids: [3, 4], vectors: [1, 0, 0, 0]) }
        #expect(throws: HNSWIndexError.self) { try index.add(ids: [], vectors: [1]) }
        #expect(index.count == 2)
    }

    @Test func addWithNonFiniteValuesThrows() throws {
        let index = try index()
        #expect(throws: HNSWIndexError.self) { try index.add(ids: [3], vectors: [1, .nan, 0, 0]) }
        #expect(throws: HNSWIndexError.self) { try index.add(ids: [3], vectors: [1, 0, .infinity, 0]) }
        #expect(index.count == 2)
    }

    @Test func addingAnExistingOrRepeatedIDThrows() throws {
        let index = try index()
        #expect(throws: HNSWIndexError.self) { try index.add(ids: [2], vectors: [0, 0, 1, 0]) }
        #expect(throws: HNSWIndexError.self) { try index.add(ids: [7, 7], vectors: [0, 0, 1, 0, 0, 0, 0, 1]) }
        #expect(index.count == 2)
    }

    @Test func searchWithBadArgumentsThrows() throws {
        let index = try index()
        #expect(throws: HNSWIndexError.self) { try index.search([1, 0, 0], k: 1, ef: 8) }
        #expect(throws: HNSWIndexError.self) { try index.search([1, .nan, 0, 0], k: 1, ef: 8) }
        #expect(throws: HNSWIndexError.self) { try index.search([1, 0, 0, 0], k: 0, ef: 8) }
        #expect(throws: HNSWIndexError.self) { try index.search([1, 0, 0, 0], k: 1, ef: 0) }
        #expect(throws: HNSWIndexError.self) { try index.search([1, 0, 0, 0], k: -3, ef: 8) }
    }

    @Test func invalidParametersThrow() {
        #expect(throws: HNSWIndexError.self) { try HNSWIndex(dimension: 0, parameters: HNSWParameters()) }
        #expect(throws: HNSWIndexError.self) { try HNSWIndex(dimension: 4, parameters: HNSWParameters(m: 1)) }
        #expect(throws: HNSWIndexError.self) {
            try HNSWIndex(dimension: 4, parameters: HNSWParameters(efConstruction: 0))
        }
        #expect(throws: HNSWIndexError.self) {
            try HNSWIndex(dimension: 4, parameters: HNSWParameters(efSearchDefault: 100, efSearchMax: 50))
        }
    }

    @Test func errorsNameTheProblem() throws {
        let index = try index()
        do {
            try index.add(ids: [3], vectors: [1, 0])
            Issue.record("expected an error")
        } catch {
            #expect(String(describing: error).contains("floats"))
        }
    }
}
