import GlimpseEvaluation
import GlimpseTestSupport
import GlimpseTransformer
import Testing

/// A small random BERT-like stack stored both as Q4_0 (for the quantised encoder) and as the same weights
/// dequantised to fp32 (for the fp32 encoder CLIP uses).
struct RandomQuantisedEncoder {
    let dimensions = TransformerDimensions(
        hiddenSize: 64, headCount: 4, intermediateSize: 256, layerNormEpsilon: 1e-12,
        activation: .gelu)
    let quantised: [QuantisedEncoderLayerWeights]
    let float32: [EncoderLayerWeights]
    let input: [Float]

    init(seed: UInt64, layers: Int = 2, tokens: Int = 50) {
        var random = SplitMix64(seed: seed)
        let h = dimensions.hiddenSize
        let ff = dimensions.intermediateSize
        func q4(rows: Int, columns: Int) -> [UInt8] {
            var bytes: [UInt8] = []
            for _ in 0..<(rows * columns / 32) {
                let half = UInt16(0x2400 + random.next() % 0x300)  // scales around 0.02–0.03
                bytes += [UInt8(half & 0xFF), UInt8(half >> 8)]
                bytes += (0..<16).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            }
            return bytes
        }
        func dequantised(_ bytes: [UInt8], count: Int) -> [Float] {
            var out = [Float](repeating: 0, count: count)
            bytes.withUnsafeBytes { source in
                out.withUnsafeMutableBufferPointer { Q4Blocks.dequantise(source.baseAddress!, into: $0) }
            }
            return out
        }
        func vector(_ count: Int, around centre: Float) -> [Float] {
            (0..<count).map { _ in centre + random.nextGaussianLike() * 0.1 }
        }
        var quantised: [QuantisedEncoderLayerWeights] = []
        var float32: [EncoderLayerWeights] = []
        for _ in 0..<layers {
            let qkv = q4(rows: 3 * h, columns: h)
            let ao = q4(rows: h, columns: h)
            let fi = q4(rows: ff, columns: h)
            let fo = q4(rows: h, columns: ff)
            let vectors = (
                qkvB: vector(3 * h, around: 0), aoB: vector(h, around: 0), n1w: vector(h, around: 1),
                n1b: vector(h, around: 0), fiB: vector(ff, around: 0), foB: vector(h, around: 0),
                n2w: vector(h, around: 1), n2b: vector(h, around: 0)
            )
            func matrix(_ bytes: [UInt8], rows: Int, columns: Int) -> Q4Matrix {
                bytes.withUnsafeBytes { Q4Matrix(columns: columns, parts: [($0.baseAddress!, rows)]) }
            }
            quantised.append(
                QuantisedEncoderLayerWeights(
                    qkvWeight: matrix(qkv, rows: 3 * h, columns: h), qkvBias: vectors.qkvB,
                    attentionOutputWeight: matrix(ao, rows: h, columns: h), attentionOutputBias: vectors.aoB,
                    attentionNormWeight: vectors.n1w, attentionNormBias: vectors.n1b,
                    intermediateWeight: matrix(fi, rows: ff, columns: h), intermediateBias: vectors.fiB,
                    outputWeight: matrix(fo, rows: h, columns: ff), outputBias: vectors.foB,
                    outputNormWeight: vectors.n2w, outputNormBias: vectors.n2b))
            float32.append(
                EncoderLayerWeights(
                    qkvWeight: dequantised(qkv, count: 3 * h * h), qkvBias: vectors.qkvB,
                    attentionOutputWeight: dequantised(ao, count: h * h), attentionOutputBias: vectors.aoB,
                    attentionNormWeight: vectors.n1w, attentionNormBias: vectors.n1b,
                    intermediateWeight: dequantised(fi, count: ff * h), intermediateBias: vectors.fiB,
                    outputWeight: dequantised(fo, count: h * ff), outputBias: vectors.foB,
                    outputNormWeight: vectors.n2w, outputNormBias: vectors.n2b))
        }
        self.quantised = quantised
        self.float32 = float32
        input = (0..<(tokens * h)).map { _ in random.nextGaussianLike() }
    }

    func run(segments: [(start: Int, length: Int)], threads: Int) -> [Float] {
        let count = segments.reduce(0) { $0 + $1.length } * dimensions.hiddenSize
        var x = Array(input[0..<count])
        let pool = WorkerPool(threadCount: threads)
        x.withUnsafeMutableBufferPointer {
            QuantisedPostLayerNormEncoder.run(
                layers: quantised, dimensions: dimensions, x: $0.baseAddress!,
                segments: segments, pool: pool)
        }
        return x
    }

    func runFloat32(segments: [(start: Int, length: Int)]) -> [Float] {
        let count = segments.reduce(0) { $0 + $1.length } * dimensions.hiddenSize
        var x = Array(input[0..<count])
        x.withUnsafeMutableBufferPointer {
            TransformerPostLayerNormEncoder.run(
                layers: float32, dimensions: dimensions, x: $0.baseAddress!, segments: segments)
        }
        return x
    }
}

@Suite struct QuantisedEncoderTests {
    @Test func quantisedStackTracksTheFloat32StackOnTheSameWeights() {
        let model = RandomQuantisedEncoder(seed: 21)
        let segments = [(start: 0, length: 9), (start: 9, length: 33)]
        let quantised = model.run(segments: segments, threads: 2)
        let float32 = model.runFloat32(segments: segments)
        let h = model.dimensions.hiddenSize
        for t in 0..<42 {
            let a = quantised[(t * h)..<((t + 1) * h)]
            let b = float32[(t * h)..<((t + 1) * h)]
            let dot = zip(a, b).reduce(0) { $0 + $1.0 * $1.1 }
            let cosine =
                dot
                / (a.reduce(0) { $0 + $1 * $1 }.squareRoot() * b.reduce(0) { $0 + $1 * $1 }.squareRoot())
            #expect(cosine >= 0.995, "token \(t): cosine \(cosine)")
        }
    }

    @Test func batchedSegmentsGiveTheSameStatesAsEachAlone() {
        let model = RandomQuantisedEncoder(seed: 4)
        let h = model.dimensions.hiddenSize
        let together = model.run(segments: [(start: 0, length: 6), (start: 6, length: 11)], threads: 2)
        let first = model.run(segments: [(start: 0, length: 6)], threads: 2)
        #expect(Array(together[0..<(6 * h)]).map(\.bitPattern) == first.map(\.bitPattern))
    }

    @Test func q4MatrixStacksPartsInOrder() {
        var random = SplitMix64(seed: 1)
        let part = (0..<(2 * 64 / 32 * 18)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
        let stacked = part.withUnsafeBytes {
            Q4Matrix(columns: 64, parts: [($0.baseAddress!, 2), ($0.baseAddress!, 2)])
        }
        #expect(stacked.rows == 4 && stacked.columns == 64 && stacked.groups == 1)
        #expect(stacked.byteCount == 4 * 80)
    }
}
