import Foundation

/// The building blocks shared by every encoder here (E5's BERT, CLIP's text and vision towers, Chinese-CLIP's
/// BERT): row-major [tokens, width] activations, weights stored [out, in] as in PyTorch, products through sgemm.
package enum TransformerKernels {
    /// output[rows, outputs] = input[rows, inputs] · weight[outputs, inputs]ᵀ (+ bias).
    package static func linear(
        _ input: UnsafePointer<Float>, rows: Int, inputs: Int, weight: [Float], bias: [Float]?,
        outputs: Int,
        into output: UnsafeMutablePointer<Float>
    ) {
        if let bias {
            bias.withUnsafeBufferPointer { bias in
                for r in 0..<rows { (output + r * outputs).update(from: bias.baseAddress!, count: outputs) }
            }
        }
        weight.withUnsafeBufferPointer { w in
            BLAS.gemm(
                m: rows, n: outputs, k: inputs, a: input, lda: inputs, b: w.baseAddress!, ldb: inputs,
                transposeB: true, beta: bias == nil ? 0 : 1, c: output, ldc: outputs)
        }
    }

    /// x = LayerNorm(x + residual) row by row (just LayerNorm(x) without a residual): BERT's post-LN step.
    package static func layerNorm(
        _ x: UnsafeMutablePointer<Float>, residual: UnsafePointer<Float>?, weight: [Float],
        bias: [Float],
        rows: Int, width h: Int, epsilon: Float
    ) {
        weight.withUnsafeBufferPointer { w in
            bias.withUnsafeBufferPointer { b in
                for t in 0..<rows {
                    let r = x + t * h
                    if let residual {
                        let y = residual + t * h
                        for i in 0..<h { r[i] += y[i] }
                    }
                    normalise(
                        r, into: r, width: h, epsilon: epsilon, weight: w.baseAddress!, bias: b.baseAddress!)
                }
            }
        }
    }

    /// output = LayerNorm(x) row by row, leaving x (the residual stream of a pre-LN layer) untouched.
    package static func layerNorm(
        _ x: UnsafePointer<Float>, into output: UnsafeMutablePointer<Float>, weight: [Float],
        bias: [Float],
        rows: Int, width h: Int, epsilon: Float
    ) {
        weight.withUnsafeBufferPointer { w in
            bias.withUnsafeBufferPointer { b in
                for t in 0..<rows {
                    normalise(
                        x + t * h, into: output + t * h, width: h, epsilon: epsilon,
                        weight: w.baseAddress!, bias: b.baseAddress!)
                }
            }
        }
    }

    @inline(__always)
    private static func normalise(
        _ r: UnsafePointer<Float>, into o: UnsafeMutablePointer<Float>, width h: Int, epsilon: Float,
        weight w: UnsafePointer<Float>, bias b: UnsafePointer<Float>
    ) {
        var mean: Float = 0
        for i in 0..<h { mean += r[i] }
        mean /= Float(h)
        var variance: Float = 0
        for i in 0..<h {
            let d = r[i] - mean
            variance += d * d
        }
        variance /= Float(h)
        let inverse = 1 / (variance + epsilon).squareRoot()
        for i in 0..<h { o[i] = (r[i] - mean) * inverse * w[i] + b[i] }
    }

    /// x += y over `count` values (a pre-LN layer's residual connection).
    package static func add(_ y: UnsafePointer<Float>, to x: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count { x[i] += y[i] }
    }

    /// Scaled dot-product self-attention over a fused [tokens, 3H] query/key/value matrix, each segment attending
    /// only to its own tokens, written into `context` [tokens, H]. (Causal attention, for CLIP's text tower, is
    /// `PooledPreLayerNormEncoder.attention`'s.)
    package static func attention(
        qkv: UnsafePointer<Float>, segments: [(start: Int, length: Int)], hiddenSize h: Int,
        headCount: Int, into context: UnsafeMutablePointer<Float>
    ) {
        let headSize = h / headCount
        let scale = 1 / Float(headSize).squareRoot()
        let longest = segments.map(\.length).max() ?? 0
        let scores = TransformerBuffer(count: longest * longest)
        defer { scores.deallocate() }
        for (start, length) in segments {
            for head in 0..<headCount {
                let q = qkv + start * 3 * h + head * headSize
                let k = q + h
                let v = q + 2 * h
                BLAS.gemm(
                    m: length, n: length, k: headSize, alpha: scale, a: q, lda: 3 * h, b: k, ldb: 3 * h,
                    transposeB: true, beta: 0, c: scores.pointer, ldc: length)
                for i in 0..<length { softmax(scores.pointer + i * length, count: length) }
                BLAS.gemm(
                    m: length, n: headSize, k: length, a: scores.pointer, lda: length, b: v, ldb: 3 * h,
                    transposeB: false, beta: 0, c: context + start * h + head * headSize, ldc: h)
            }
        }
    }

    package static func softmax(_ row: UnsafeMutablePointer<Float>, count: Int) {
        var maximum = -Float.greatestFiniteMagnitude
        for i in 0..<count { maximum = max(maximum, row[i]) }
        var sum: Float = 0
        for i in 0..<count {
            row[i] = exp(row[i] - maximum)
            sum += row[i]
        }
        let inverse = 1 / sum
        for i in 0..<count { row[i] *= inverse }
    }
}
