import GlimpseEvaluation
import GlimpseTransformer
import Testing

/// The vision stack's 16-lane LayerNorm against a Double two-pass reference, at widths with and without a
/// partial last vector, split over 1–3 threads.
@Suite struct PooledLayerNormTests {
    @Test(arguments: [1, 5, 16, 37, 768])
    func matchesADoubleReference(width: Int) {
        let rows = 70
        var random = SplitMix64(seed: UInt64(width))
        // An offset mean, as residual streams drift.
        let x = (0..<(rows * width)).map { _ in Float.random(in: -3..<5, using: &random) }
        let weight = (0..<width).map { _ in Float.random(in: 0.5..<1.5, using: &random) }
        let bias = (0..<width).map { _ in Float.random(in: -0.5..<0.5, using: &random) }
        var expected = [Float](repeating: 0, count: rows * width)
        for r in 0..<rows {
            let row = x[(r * width)..<((r + 1) * width)].map(Double.init)
            let mean = row.reduce(0, +) / Double(width)
            let variance = row.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(width)
            for i in 0..<width {
                expected[r * width + i] = Float(
                    (row[i] - mean) / (variance + 1e-5).squareRoot() * Double(weight[i]) + Double(bias[i]))
            }
        }
        for threads in [1, 2, 3] {
            var output = [Float](repeating: .nan, count: rows * width)
            x.withUnsafeBufferPointer { input in
                output.withUnsafeMutableBufferPointer { y in
                    PooledPreLayerNormEncoder.layerNorm(
                        input.baseAddress!, into: y.baseAddress!, weight: weight, bias: bias, rows: rows,
                        width: width, epsilon: 1e-5, pool: WorkerPool(threadCount: threads))
                }
            }
            let worst = zip(output, expected).map { abs($0 - $1) }.max()!
            #expect(worst <= 2e-5, "width \(width), \(threads) threads")
        }
    }
}
