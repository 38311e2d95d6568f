/// One post-LayerNorm BERT layer with its four weight matrices kept at 4 bits (`Q4Matrix`); biases and norms fp32.
package struct QuantisedEncoderLayerWeights: Sendable {
    /// Query, key and value projections stacked into one [3H, H] matrix: one pass instead of three.
    package let qkvWeight: Q4Matrix
    package let qkvBias: [Float]
    package let attentionOutputWeight: Q4Matrix
    package let attentionOutputBias: [Float]
    package let attentionNormWeight: [Float]
    package let attentionNormBias: [Float]
    package let intermediateWeight: Q4Matrix
    package let intermediateBias: [Float]
    package let outputWeight: Q4Matrix
    package let outputBias: [Float]
    package let outputNormWeight: [Float]
    package let outputNormBias: [Float]

    package init(
        qkvWeight: Q4Matrix, qkvBias: [Float], attentionOutputWeight: Q4Matrix,
        attentionOutputBias: [Float],
        attentionNormWeight: [Float], attentionNormBias: [Float], intermediateWeight: Q4Matrix,
        intermediateBias: [Float], outputWeight: Q4Matrix, outputBias: [Float],
        outputNormWeight: [Float],
        outputNormBias: [Float]
    ) {
        self.qkvWeight = qkvWeight
        self.qkvBias = qkvBias
        self.attentionOutputWeight = attentionOutputWeight
        self.attentionOutputBias = attentionOutputBias
        self.attentionNormWeight = attentionNormWeight
        self.attentionNormBias = attentionNormBias
        self.intermediateWeight = intermediateWeight
        self.intermediateBias = intermediateBias
        self.outputWeight = outputWeight
        self.outputBias = outputBias
        self.outputNormWeight = outputNormWeight
        self.outputNormBias = outputNormBias
    }

    /// Bytes of weights held (matrices, biases and norms).
    package var byteCount: Int {
        [qkvWeight, attentionOutputWeight, intermediateWeight, outputWeight].reduce(0) {
            $0 + $1.byteCount
        }
            + 4
            * [
                qkvBias, attentionOutputBias, attentionNormWeight, attentionNormBias, intermediateBias,
                outputBias,
                outputNormWeight, outputNormBias,
            ].reduce(0) { $0 + $1.count }
    }
}

/// `TransformerPostLayerNormEncoder` on 4-bit weights: each projection quantises its input rows to Q8 blocks and
/// runs Q4 × Q8 integer products (llama.cpp's scheme), split across `pool` by weight rows; attention, LayerNorm and
/// the residual stream stay fp32. Same per-layer steps as the fp32 stack.
package enum QuantisedPostLayerNormEncoder {
    package static func run(
        layers: [QuantisedEncoderLayerWeights], dimensions d: TransformerDimensions,
        x: UnsafeMutablePointer<Float>,
        segments: [(start: Int, length: Int)], pool: WorkerPool
    ) {
        let h = d.hiddenSize
        let ff = d.intermediateSize
        let eps = d.layerNormEpsilon
        let tokens = segments.reduce(0) { $0 + $1.length }
        guard tokens > 0 else { return }
        let qkv = TransformerBuffer(count: tokens * 3 * h)
        let context = TransformerBuffer(count: tokens * h)
        let projected = TransformerBuffer(count: tokens * h)
        let intermediate = TransformerBuffer(count: tokens * ff)
        var quantised = Q8Rows(rows: tokens, maximumColumns: max(h, ff))
        defer {
            for buffer in [qkv, context, projected, intermediate] { buffer.deallocate() }
            quantised.deallocate()
        }
        let fusedGELU = d.activation == .gelu

        for layer in layers {
            quantised.quantise(x, rows: tokens, columns: h, pool: pool)
            QuantisedKernels.linear(
                quantised, tokens: tokens, weight: layer.qkvWeight, bias: layer.qkvBias,
                into: qkv.pointer, pool: pool)
            QuantisedKernels.attention(
                qkv: qkv.pointer, segments: segments, hiddenSize: h, headCount: d.headCount,
                into: context.pointer, pool: pool)
            quantised.quantise(context.pointer, rows: tokens, columns: h, pool: pool)
            QuantisedKernels.linear(
                quantised, tokens: tokens, weight: layer.attentionOutputWeight,
                bias: layer.attentionOutputBias, into: projected.pointer, pool: pool)
            QuantisedKernels.addLayerNorm(
                x, residual: projected.pointer, weight: layer.attentionNormWeight,
                bias: layer.attentionNormBias, rows: tokens, width: h, epsilon: eps,
                pool: pool)

            quantised.quantise(x, rows: tokens, columns: h, pool: pool)
            QuantisedKernels.linear(
                quantised, tokens: tokens, weight: layer.intermediateWeight,
                bias: layer.intermediateBias, gelu: fusedGELU, into: intermediate.pointer,
                pool: pool)
            if !fusedGELU { d.activation.apply(intermediate.pointer, count: tokens * ff) }
            quantised.quantise(intermediate.pointer, rows: tokens, columns: ff, pool: pool)
            QuantisedKernels.linear(
                quantised, tokens: tokens, weight: layer.outputWeight, bias: layer.outputBias,
                into: projected.pointer, pool: pool)
            QuantisedKernels.addLayerNorm(
                x, residual: projected.pointer, weight: layer.outputNormWeight,
                bias: layer.outputNormBias, rows: tokens, width: h, epsilon: eps,
                pool: pool)
        }
    }
}
