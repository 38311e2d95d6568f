import Foundation

/// The BERT (post-LayerNorm) forward pass over a batch of segments. All segments' tokens are concatenated into one
/// [T, H] activation matrix so each weight matrix is streamed once per batch; attention stays within a segment.
/// Scratch memory is allocated per call: the weights are shared by concurrent callers, the activations are not.
extension EncoderWeights {
    /// Mean of the final hidden states over each segment's tokens (including <s> and </s>), `segments.count` rows
    /// of `hiddenSize`. Every segment must hold 1...maxPositions valid token ids.
    func meanPooledHiddenStates(segments: [[Int]]) -> [Float] {
        let h = configuration.hiddenSize, ff = configuration.intermediateSize
        let tokenCount = segments.reduce(0) { $0 + $1.count }
        let longest = segments.map(\.count).max() ?? 0
        var pooled = [Float](repeating: 0, count: segments.count * h)
        guard tokenCount > 0 else { return pooled }

        let x = ActivationBuffer(count: tokenCount * h)  // the residual stream
        let qkv = ActivationBuffer(count: tokenCount * 3 * h)
        let context = ActivationBuffer(count: tokenCount * h)
        let projected = ActivationBuffer(count: tokenCount * h)
        let intermediate = ActivationBuffer(count: tokenCount * ff)
        defer { [x, qkv, context, projected, intermediate].forEach { $0.deallocate() } }

        var starts: [Int] = []
        var offset = 0
        for segment in segments {
            starts.append(offset)
            offset += segment.count
        }
        let spans = Array(zip(starts, segments.map(\.count)))

        embed(segments: segments, into: x.pointer)
        layerNorm(x, residual: nil, weight: embeddingNormWeight, bias: embeddingNormBias, rows: tokenCount)
        for layer in layers {
            linear(x.pointer, rows: tokenCount, inputs: h, weight: layer.qkvWeight, bias: layer.qkvBias,
                   outputs: 3 * h, into: qkv.pointer)
            attention(qkv: qkv, segments: spans, longest: longest, into: context)
            linear(context.pointer, rows: tokenCount, inputs: h, weight: layer.attentionOutputWeight,
                   bias: layer.attentionOutputBias, outputs: h, into: projected.pointer)
            layerNorm(x, residual: projected, weight: layer.attentionNormWeight,
                      bias: layer.attentionNormBias, rows: tokenCount)

            linear(x.pointer, rows: tokenCount, inputs: h, weight: layer.intermediateWeight,
                   bias: layer.intermediateBias, outputs: ff, into: intermediate.pointer)
            gelu(intermediate, count: tokenCount * ff)
            linear(intermediate.pointer, rows: tokenCount, inputs: ff, weight: layer.outputWeight,
                   bias: layer.outputBias, outputs: h, into: projected.pointer)
            layerNorm(x, residual: projected, weight: layer.outputNormWeight,
                      bias: layer.outputNormBias, rows: tokenCount)
        }

        pooled.withUnsafeMutableBufferPointer { out in
            for (index, (segment, start)) in zip(segments, starts).enumerated() {
                let o = out.baseAddress! + index * h
                for t in start..<(start + segment.count) {
                    let row = x.pointer + t * h
                    for i in 0..<h { o[i] += row[i] }
                }
                let inverse = 1 / Float(segment.count)
                for i in 0..<h { o[i] *= inverse }
            }
        }
        return pooled
    }

    /// word (dequantised 4-bit row) + position (ids restart at 0 in every segment) + token type 0.
    private func embed(segments: [[Int]], into x: UnsafeMutablePointer<Float>) {
        let h = configuration.hiddenSize, rowBytes = wordEmbeddingRowBytes
        wordEmbeddings.withUnsafeBytes { words in
            positionEmbeddings.withUnsafeBufferPointer { positions in
                tokenTypeEmbedding.withUnsafeBufferPointer { type in
                    var t = 0
                    for segment in segments {
                        for (position, id) in segment.enumerated() {
                            let row = x + t * h
                            Q4Blocks.dequantise(words.baseAddress! + id * rowBytes,
                                                into: UnsafeMutableBufferPointer(start: row, count: h))
                            let p = positions.baseAddress! + position * h
                            for i in 0..<h { row[i] += p[i] + type[i] }
                            t += 1
                        }
                    }
                }
            }
        }
    }

    /// output[rows, outputs] = input[rows, inputs] · weight[outputs, inputs]ᵀ + bias.
    private func linear(
        _ input: UnsafeMutablePointer<Float>, rows: Int, inputs: Int, weight: [Float], bias: [Float], outputs: Int,
        into output: UnsafeMutablePointer<Float>
    ) {
        bias.withUnsafeBufferPointer { bias in
            for r in 0..<rows { (output + r * outputs).update(from: bias.baseAddress!, count: outputs) }
        }
        weight.withUnsafeBufferPointer { w in
            BLAS.gemm(m: rows, n: outputs, k: inputs, a: input, lda: inputs, b: w.baseAddress!, ldb: inputs,
                      transposeB: true, beta: 1, c: output, ldc: outputs)
        }
    }

    /// Scaled dot-product self-attention, each segment attending only to its own tokens, written into `context`.
    private func attention(
        qkv: ActivationBuffer, segments: [(start: Int, length: Int)], longest: Int, into context: ActivationBuffer
    ) {
        let h = configuration.hiddenSize, headSize = configuration.headSize
        let scale = 1 / Float(headSize).squareRoot()
        let scores = ActivationBuffer(count: longest * longest)
        defer { scores.deallocate() }
        for (start, length) in segments {
            for head in 0..<configuration.headCount {
                let q = qkv.pointer + start * 3 * h + head * headSize, k = q + h, v = q + 2 * h
                BLAS.gemm(m: length, n: length, k: headSize, alpha: scale, a: q, lda: 3 * h, b: k, ldb: 3 * h,
                          transposeB: true, beta: 0, c: scores.pointer, ldc: length)
                for i in 0..<length { softmax(scores.pointer + i * length, count: length) }
                BLAS.gemm(m: length, n: headSize, k: length, a: scores.pointer, lda: length, b: v, ldb: 3 * h,
                          transposeB: false, beta: 0, c: context.pointer + start * h + head * headSize, ldc: h)
            }
        }
    }

    private func softmax(_ row: UnsafeMutablePointer<Float>, count: Int) {
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

    /// x = LayerNorm(x + residual) row by row (just LayerNorm(x) without a residual).
    private func layerNorm(
        _ x: ActivationBuffer, residual: ActivationBuffer?, weight: [Float], bias: [Float], rows: Int
    ) {
        let h = configuration.hiddenSize, epsilon = configuration.layerNormEpsilon
        weight.withUnsafeBufferPointer { w in
            bias.withUnsafeBufferPointer { b in
                for t in 0..<rows {
                    let r = x.pointer + t * h
                    if let residual {
                        let y = residual.pointer + t * h
                        for i in 0..<h { r[i] += y[i] }
                    }
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
                    for i in 0..<h { r[i] = (r[i] - mean) * inverse * w[i] + b[i] }
                }
            }
        }
    }

    /// Exact (erf) GELU, as BERT was trained with.
    private func gelu(_ x: ActivationBuffer, count: Int) {
        let p = x.pointer
        for i in 0..<count {
            let v = p[i]
            p[i] = 0.5 * v * (1 + erf(v * 0.707_106_781_186_547_524_40))
        }
    }
}

/// Uninitialised activation memory for one forward pass, allocated per call (the weights are shared by
/// concurrent callers, activations never are) and freed by the caller.
private struct ActivationBuffer {
    let pointer: UnsafeMutablePointer<Float>

    init(count: Int) {
        pointer = .allocate(capacity: max(count, 1))
    }

    func deallocate() { pointer.deallocate() }
}
