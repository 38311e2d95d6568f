import CQuantKernels
import Foundation
import GlimpseEvaluation
import GlimpseTestSupport
import GlimpseTransformer
import Testing

/// The int8 × int8 linear-layer kernels (int8_kernels.c) against a scalar reference written out here: symmetric
/// per-row quantisation of weights and activations, an exact integer dot product, one fused multiply-add.
@Suite struct Int8KernelTests {
    struct Case {
        let rows: Int, columns: Int, tokens: Int
        var weight: [Float], activations: [Float], bias: [Float]

        init(rows: Int, columns: Int, tokens: Int, seed: UInt64) {
            self.rows = rows
            self.columns = columns
            self.tokens = tokens
            var random = SplitMix64(seed: seed)
            weight = (0..<(rows * columns)).map { _ in random.nextGaussianLike() * 0.05 }
            activations = (0..<(tokens * columns)).map { _ in random.nextGaussianLike() * 2 }
            bias = (0..<rows).map { _ in random.nextGaussianLike() }
            // Edge rows: an all-zero weight row and activation row (scale 0), an outlier, the ±127 extremes.
            for c in 0..<columns { weight[c] = 0 }
            if tokens > 1 { for c in 0..<columns { activations[columns + c] = 0 } }
            activations[columns - 1] = 300
            if rows > 2 { weight[2 * columns] = -4 }
        }

        /// q = round-half-even(x / (max|x| / 127)) per row, as the kernel documents.
        static func quantise(_ row: ArraySlice<Float>, divide: Bool) -> (q: [Int], scale: Float) {
            let amax = row.map(abs).max() ?? 0
            let scale = amax / 127
            let inverse: Float = scale > 0 ? 1 / scale : 0
            let q = row.map { x -> Int in
                guard scale > 0 else { return 0 }
                let v = (divide ? x / scale : x * inverse).rounded(.toNearestOrEven)
                return Int(min(max(v, -127), 127))
            }
            return (q, scale)
        }

        func reference(withBias: Bool) -> [Float] {
            let w = (0..<rows).map { Self.quantise(weight[($0 * columns)..<(($0 + 1) * columns)], divide: true) }
            var out = [Float](repeating: 0, count: tokens * rows)
            for t in 0..<tokens {
                let a = Self.quantise(activations[(t * columns)..<((t + 1) * columns)], divide: false)
                for r in 0..<rows {
                    let dot = zip(a.q, w[r].q).reduce(0) { $0 + $1.0 * $1.1 }
                    out[t * rows + r] = (withBias ? bias[r] : 0).addingProduct(Float(dot), a.scale * w[r].scale)
                }
            }
            return out
        }

        /// Runs the kernel at `level` over panels [first, last) of output rows (nil: all).
        func kernel(level: Int32, withBias: Bool, panels: Range<Int>? = nil) -> [Float] {
            let matrix = Int8Matrix(weight: weight, rows: rows, columns: columns)
            let padded = Int(cq_i8_padded_columns(Int32(columns)))
            var quantised = [UInt8](repeating: 0, count: tokens * padded)
            var scales = [Float](repeating: 0, count: tokens)
            cq_i8_quantise_rows_at_level(
                level, activations, Int32(tokens), Int32(columns), Int32(columns), &quantised, &scales)
            var out = [Float](repeating: .nan, count: tokens * rows)
            let range = panels ?? 0..<matrix.panels
            bias.withUnsafeBufferPointer { b in
                cq_i8_matmul_at_level(
                    level, matrix.packed, matrix.scales, matrix.sums, quantised, scales, Int32(tokens),
                    Int32(columns), withBias ? b.baseAddress : nil, &out, Int32(rows), Int32(rows),
                    Int32(range.lowerBound), Int32(range.upperBound))
            }
            return out
        }
    }

    /// The levels this CPU runs (not always every level up to its best: Zen 4 lacks AVX-VNNI).
    static let levels: [Int32] = [CQ_LEVEL_PORTABLE, CQ_LEVEL_AVX2, CQ_LEVEL_AVXVNNI, CQ_LEVEL_AVX512VNNI].map(
        Int32.init
    ).filter { cq_level_is_supported($0) != 0 }

    @Test(arguments: [(16, 32, 6), (37, 101, 13), (64, 768, 7), (3, 5, 1), (130, 260, 25)])
    func everyKernelPathEqualsTheScalarReferenceExactly(shape: (Int, Int, Int)) {
        let c = Case(rows: shape.0, columns: shape.1, tokens: shape.2, seed: UInt64(shape.0 * 1000 + shape.1))
        for withBias in [true, false] {
            let expected = c.reference(withBias: withBias)
            for level in Self.levels {
                let got = c.kernel(level: level, withBias: withBias)
                let mismatches = zip(got, expected).filter { $0.0.bitPattern != $0.1.bitPattern }.count
                #expect(mismatches == 0, "level \(level) bias \(withBias) \(shape): \(mismatches) values differ")
            }
        }
        print("int8 kernel paths checked: levels \(Self.levels) (this CPU's best: \(cq_supported_level()))")
    }

    @Test func activationQuantisationIsTheSameOnEveryPath() {
        let c = Case(rows: 4, columns: 203, tokens: 9, seed: 7)
        let padded = Int(cq_i8_padded_columns(203))
        var results: [[UInt8]] = []
        var scaleSets: [[Float]] = []
        for level in Self.levels {
            var q = [UInt8](repeating: 0, count: 9 * padded)
            var scales = [Float](repeating: 0, count: 9)
            cq_i8_quantise_rows_at_level(level, c.activations, 9, 203, 203, &q, &scales)
            results.append(q)
            scaleSets.append(scales)
        }
        #expect(results.allSatisfy { $0 == results[0] })
        #expect(scaleSets.allSatisfy { $0 == scaleSets[0] })
        // Padding columns hold the zero activation (128), and the zero row is all 128 with scale 0.
        #expect(results[0][203..<padded].allSatisfy { $0 == 128 })
        #expect(results[0][padded..<(2 * padded)].allSatisfy { $0 == 128 } && scaleSets[0][1] == 0)
        #expect(results[0][0..<203].allSatisfy { $0 >= 1 })  // never −128: the range is symmetric
    }

    @Test func aPanelRangeWritesOnlyItsOwnRows() {
        let c = Case(rows: 70, columns: 48, tokens: 5, seed: 11)
        let expected = c.reference(withBias: true)
        for level in Self.levels {
            let got = c.kernel(level: level, withBias: true, panels: 1..<3)  // rows 16..<48
            for t in 0..<5 {
                for r in 0..<70 {
                    let value = got[t * 70 + r]
                    if (16..<48).contains(r) {
                        #expect(value == expected[t * 70 + r])
                    } else {
                        #expect(value.isNaN, "level \(level) wrote row \(r)")
                    }
                }
            }
        }
    }

    @Test func theQuantisedProductStaysCloseToTheFloatProduct() {
        let c = Case(rows: 96, columns: 512, tokens: 8, seed: 3)
        let got = c.kernel(level: cq_supported_level(), withBias: true)
        var worst: Double = 1
        for t in 1..<8 {  // row 0 holds the outlier, row 1 is all zero
            guard t != 1 else { continue }
            var exact = [Double](repeating: 0, count: 96)
            for r in 0..<96 {
                exact[r] = Double(c.bias[r])
                for k in 0..<512 { exact[r] += Double(c.activations[t * 512 + k]) * Double(c.weight[r * 512 + k]) }
            }
            let row = got[(t * 96)..<((t + 1) * 96)].map(Double.init)
            let dot = zip(exact, row).reduce(0) { $0 + $1.0 * $1.1 }
            let norms = (exact.reduce(0) { $0 + $1 * $1 } * row.reduce(0) { $0 + $1 * $1 }).squareRoot()
            worst = min(worst, dot / norms)
        }
        #expect(worst > 0.999, "cosine \(worst)")
    }

    @Test func quickGELUMatchesItsFormula() {
        var values: [Float] = (-400...400).map { Float($0) / 20 } + [-100, 100, 0]
        let expected = values.map { Double($0) / (1 + exp(-1.702 * Double($0))) }
        cq_quick_gelu(&values, values.count)
        for (got, want) in zip(values, expected) { #expect(abs(Double(got) - want) <= 1e-6 * max(1, abs(want))) }
    }
}
