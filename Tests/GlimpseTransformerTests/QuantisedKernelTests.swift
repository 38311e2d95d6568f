import CQuantKernels
import Foundation
import GlimpseEvaluation
import GlimpseTestSupport
import GlimpseTransformer
import Testing

/// Random Q4_0 rows and fp32 activations, with the edge values a kernel can get wrong.
struct QuantisedProductCase {
    let rows: Int
    let columns: Int
    let tokens: Int
    var q4: [UInt8]
    var activations: [Float]

    init(rows: Int, columns: Int, tokens: Int, seed: UInt64) {
        self.rows = rows
        self.columns = columns
        self.tokens = tokens
        var random = SplitMix64(seed: seed)
        let blocks = rows * columns / 32
        q4 = []
        for block in 0..<blocks {
            // Scales: normal halves of either sign, plus zero and a subnormal now and then.
            var half = UInt16(0x2000 + random.next() % 0x1400) | (random.next() % 2 == 0 ? 0 : 0x8000)
            if block % 17 == 5 { half = 0 }
            if block % 23 == 7 { half = 0x0003 }
            q4 += [UInt8(half & 0xFF), UInt8(half >> 8)]
            for j in 0..<16 {
                // Extreme nibbles (0 = -8, 15 = +7) in some blocks.
                let byte: UInt8 =
                    block % 11 == 3 ? (j % 2 == 0 ? 0x0F : 0xF0) : UInt8(truncatingIfNeeded: random.next())
                q4.append(byte)
            }
        }
        activations = (0..<(tokens * columns)).map { _ in random.nextGaussianLike() * 3 }
        // An all-zero block, a block with one outlier, and huge values.
        for i in 0..<min(32, columns) { activations[i] = 0 }
        if columns >= 64 { activations[40] = 250 }
        if tokens > 1 { activations[columns + columns - 1] = -1e4 }
    }

    /// Σ_b d_w · d_a · Σ (nibble - 8) · q over the original Q4_0 bytes and a Q8 quantisation written out here
    /// (scale max|x|/127, round to nearest even), in Double: what the kernel must compute up to float rounding.
    func reference(bias: [Float]) -> [Double] {
        let blocks = columns / 32
        var out = [Double](repeating: 0, count: tokens * rows)
        for t in 0..<tokens {
            for r in 0..<rows {
                var sum = Double(bias[r])
                for b in 0..<blocks {
                    let x = activations[(t * columns + b * 32)..<(t * columns + b * 32 + 32)]
                    let amax = x.map(abs).max() ?? 0
                    let d = amax / 127
                    let inverse: Float = d > 0 ? 1 / d : 0
                    let base = (r * blocks + b) * 18
                    let dw = Q4Blocks.floatFromHalf(UInt16(q4[base]) | UInt16(q4[base + 1]) << 8)
                    var dot = 0
                    for (p, value) in x.enumerated() {
                        let byte = q4[base + 2 + p % 16]
                        let nibble = Int(p < 16 ? byte & 0x0F : byte >> 4)
                        dot += (nibble - 8) * Int((value * inverse).rounded(.toNearestOrEven))
                    }
                    sum += Double(dw) * Double(d) * Double(dot)
                }
                out[t * rows + r] = sum
            }
        }
        return out
    }

    /// The same product in fp32 without quantising the activations.
    func floatProduct() -> [Double] {
        var weights = [Float](repeating: 0, count: rows * columns)
        q4.withUnsafeBytes { source in
            weights.withUnsafeMutableBufferPointer { Q4Blocks.dequantise(source.baseAddress!, into: $0) }
        }
        return (0..<(tokens * rows)).map { i in
            let (t, r) = i.quotientAndRemainder(dividingBy: rows)
            return (0..<columns).reduce(0.0) {
                $0 + Double(weights[r * columns + $1]) * Double(activations[t * columns + $1])
            }
        }
    }

    /// Repack, quantise and multiply with the kernels at `level`.
    func kernel(level: Int32, bias: [Float]?) -> (quantised: [UInt8], output: [Float]) {
        let groups = Int(cq_groups(Int32(columns)))
        var packed = [UInt8](repeating: 0, count: rows * groups * Int(CQ_Q4_GROUP_BYTES))
        var quantised = [UInt8](repeating: 0, count: tokens * groups * Int(CQ_Q8_GROUP_BYTES))
        var output = [Float](repeating: .nan, count: tokens * rows)
        cq_q4_repack(q4, Int32(rows), Int32(columns), &packed)
        cq_q8_quantise_at_level(
            level, activations, Int32(tokens), Int32(columns), Int32(columns), &quantised)
        cq_q4q8_matmul_at_level(
            level, packed, quantised, Int32(groups), Int32(tokens), bias, &output, Int32(rows), 0,
            Int32(rows))
        return (quantised, output)
    }
}

@Suite struct QuantisedKernelTests {
    static let levels: [Int32] = [
        Int32(CQ_LEVEL_PORTABLE), Int32(CQ_LEVEL_AVX2), Int32(CQ_LEVEL_AVXVNNI),
        Int32(CQ_LEVEL_AVX512VNNI),
    ]
    .filter { cq_level_is_supported($0) != 0 }

    @Test(arguments: [
        (rows: 13, columns: 384, tokens: 9), (rows: 5, columns: 96, tokens: 4),
        (rows: 7, columns: 1536, tokens: 2),
        (rows: 3, columns: 160, tokens: 1),
    ])
    func q4q8ProductMatchesScalarReferenceOnEveryKernelLevel(
        shape: (rows: Int, columns: Int, tokens: Int)
    ) {
        let example = QuantisedProductCase(
            rows: shape.rows, columns: shape.columns, tokens: shape.tokens, seed: 11)
        let bias = (0..<shape.rows).map { Float($0) * 0.25 - 1 }
        let reference = example.reference(bias: bias)
        for level in Self.levels {
            let output = example.kernel(level: level, bias: bias).output
            for (index, (value, expected)) in zip(output, reference).enumerated() {
                let scale = max(1, abs(expected))
                #expect(
                    abs(Double(value) - expected) <= 2e-5 * scale,
                    "level \(level) output \(index): \(value) vs reference \(expected)")
            }
        }
    }

    @Test func everyKernelLevelGivesBitIdenticalResults() {
        let example = QuantisedProductCase(rows: 23, columns: 480, tokens: 11, seed: 5)
        let bias = (0..<23).map { Float($0) }
        let portable = example.kernel(level: Int32(CQ_LEVEL_PORTABLE), bias: bias)
        for level in Self.levels.dropFirst() {
            let simd = example.kernel(level: level, bias: bias)
            #expect(simd.quantised == portable.quantised, "Q8 activations differ at level \(level)")
            #expect(
                simd.output.map(\.bitPattern) == portable.output.map(\.bitPattern),
                "products differ at level \(level)")
        }
    }

    @Test func quantisedProductStaysCloseToTheFloatProduct() {
        var example = QuantisedProductCase(rows: 16, columns: 384, tokens: 6, seed: 99)
        example.activations = example.activations.map { max(-6, min(6, $0)) }  // no outliers: typical activations
        let exact = example.floatProduct()
        let output = example.kernel(level: cq_supported_level(), bias: nil).output
        let error = zip(output, exact).map { (Double($0) - $1) * (Double($0) - $1) }.reduce(0, +)
            .squareRoot()
        let norm = exact.map { $0 * $0 }.reduce(0, +).squareRoot()
        #expect(error / norm < 0.01, "relative error \(error / norm)")
    }

    @Test func geluMatchesErfFormWithinTolerance() {
        var values = stride(from: Float(-12), through: 12, by: 0.0137).map { $0 }
        values += [0, -0, 1e-30, -1e-30, 40, -40, .greatestFiniteMagnitude, -.greatestFiniteMagnitude]
        for level in Self.levels {
            var output = values
            cq_gelu_at_level(level, &output, output.count)
            for (x, y) in zip(values, output) {
                let expected = 0.5 * Double(x) * (1 + erf(Double(x) / 2.0.squareRoot()))
                #expect(
                    abs(Double(y) - expected) <= 1e-6 * max(1, abs(expected)),
                    "gelu(\(x)) = \(y), expected \(expected)")
            }
        }
        var portable = values
        var vector = values
        cq_gelu_at_level(Int32(CQ_LEVEL_PORTABLE), &portable, portable.count)
        cq_gelu_at_level(cq_supported_level(), &vector, vector.count)
        #expect(portable.map(\.bitPattern) == vector.map(\.bitPattern))
    }

    @Test func expMatchesFoundationWithinTolerance() {
        var values = stride(from: Float(-87), through: 88, by: 0.173).map { $0 }
        let inputs = values
        cq_exp(&values, values.count)
        for (x, y) in zip(inputs, values) {
            let expected = Foundation.exp(Double(x))
            #expect(
                abs(Double(y) - expected) <= 1e-6 * expected, "exp(\(x)) = \(y), expected \(expected)")
        }
    }

    @Test func attentionMatchesTheFloatReference() {
        // One 5-token segment, H = 16, 2 heads: against a direct softmax(QKᵀ/√d)·V in Double.
        let h = 16
        let heads = 2
        let length = 5
        let hd = h / heads
        var random = SplitMix64(seed: 3)
        let qkv = (0..<(length * 3 * h)).map { _ in random.nextGaussianLike() * 2 }
        var context = [Float](repeating: .nan, count: length * h)
        var scores = [Float](repeating: 0, count: length)
        cq_attention(
            qkv, Int32(3 * h), Int32(h), Int32(heads), Int32(length), 0, Int32(heads), &context, Int32(h),
            &scores)
        for head in 0..<heads {
            for i in 0..<length {
                let logits = (0..<length).map { j in
                    (0..<hd).reduce(0.0) {
                        $0 + Double(qkv[i * 3 * h + head * hd + $1])
                            * Double(qkv[j * 3 * h + h + head * hd + $1])
                    }
                        / Double(hd).squareRoot()
                }
                let top = logits.max()!
                let weights = logits.map { Foundation.exp($0 - top) }
                let total = weights.reduce(0, +)
                for e in 0..<hd {
                    let expected = (0..<length).reduce(0.0) {
                        $0 + weights[$1] / total * Double(qkv[$1 * 3 * h + 2 * h + head * hd + e])
                    }
                    #expect(abs(Double(context[i * h + head * hd + e]) - expected) <= 1e-5)
                }
            }
        }
    }
}
