import GlimpseIndex
import Testing

/// Every inner-product kernel this CPU runs, single-row and four-row, agrees with a double-precision reference at
/// lengths that end inside a SIMD block and at the model's 384; the search uses the four-row form for most
/// distances, so a wrong lane or tail would shift results.
struct DistanceKernelTests {
    private static let lengths = [1, 3, 7, 8, 15, 16, 17, 31, 33, 63, 64, 65, 100, 383, 384, 385, 1_000]

    private func values(_ count: Int, seed: UInt64) -> [Float] {
        var state = seed
        return (0..<count).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Float(Int64(bitPattern: state >> 11) % 2_000_001 - 1_000_000) / 1_000_000
        }
    }

    private func reference(_ a: [Float], _ b: [Float]) -> Double {
        zip(a, b).reduce(0) { $0 + Double($1.0) * Double($1.1) }
    }

    @Test(arguments: DistanceKernels.names)
    func singleRowKernelMatchesTheReference(kernel: String) throws {
        for length in Self.lengths {
            let query = values(length, seed: UInt64(length))
            let row = values(length, seed: UInt64(length) + 1_000)
            guard let result = DistanceKernels.innerProducts(kernel: kernel, query: query, rows: [row]) else {
                #expect(kernel != "portable", "the portable kernel runs everywhere")
                return
            }
            let expected = reference(query, row)
            #expect(abs(Double(result[0]) - expected) <= 1e-5 * Double(length), "\(kernel) length \(length)")
        }
    }

    @Test(arguments: DistanceKernels.names)
    func fourRowKernelMatchesTheReferenceForEachRow(kernel: String) throws {
        for length in Self.lengths {
            let query = values(length, seed: UInt64(length) + 7)
            let rows = (0..<4).map { values(length, seed: UInt64(length * 10 + $0)) }
            guard let result = DistanceKernels.innerProducts(kernel: kernel, query: query, rows: rows) else {
                #expect(kernel == "portable", "only the portable level has no four-row form")
                return
            }
            for (row, value) in zip(rows, result) {
                let expected = reference(query, row)
                #expect(abs(Double(value) - expected) <= 1e-5 * Double(length), "\(kernel) length \(length)")
            }
            // Distinct rows give distinct results in their own slots (no lane mixed up with another row's).
            #expect(Set(result).count == 4 || length < 3, "\(kernel) length \(length)")
        }
    }

    @Test func theBestKernelIsOneTheCPURuns() {
        let best = HNSWIndex.distanceKernelName
        #expect(DistanceKernels.names.contains(best))
        let query = values(384, seed: 1)
        #expect(DistanceKernels.innerProducts(kernel: best, query: query, rows: [query]) != nil)
    }
}
