/// The sizes one encoder's layers share.
package struct TransformerDimensions: Sendable, Equatable {
    package let hiddenSize: Int
    package let headCount: Int
    package let intermediateSize: Int
    package let layerNormEpsilon: Float
    package let activation: TransformerActivation

    package init(
        hiddenSize: Int, headCount: Int, intermediateSize: Int, layerNormEpsilon: Float,
        activation: TransformerActivation
    ) {
        self.hiddenSize = hiddenSize
        self.headCount = headCount
        self.intermediateSize = intermediateSize
        self.layerNormEpsilon = layerNormEpsilon
        self.activation = activation
    }
}

/// BERT's post-LayerNorm layer stack (E5, Chinese-CLIP's text tower): per layer
/// x = LN(x + Attention(x)), x = LN(x + FC2(act(FC1(x)))). All segments' tokens are rows of one [T, H] matrix so
/// each weight matrix is streamed once per batch; attention stays within a segment.
package enum TransformerPostLayerNormEncoder {
    package static func run(
        layers: [EncoderLayerWeights], dimensions d: TransformerDimensions, x: UnsafeMutablePointer<Float>,
        segments: [(start: Int, length: Int)]
    ) {
        let h = d.hiddenSize
        let ff = d.intermediateSize
        let tokenCount = segments.reduce(0) { $0 + $1.length }
        guard tokenCount > 0 else { return }
        let qkv = TransformerBuffer(count: tokenCount * 3 * h)
        let context = TransformerBuffer(count: tokenCount * h)
        let projected = TransformerBuffer(count: tokenCount * h)
        let intermediate = TransformerBuffer(count: tokenCount * ff)
        defer { for buffer in [qkv, context, projected, intermediate] { buffer.deallocate() } }

        for layer in layers {
            TransformerKernels.linear(
                x, rows: tokenCount, inputs: h, weight: layer.qkvWeight, bias: layer.qkvBias,
                outputs: 3 * h, into: qkv.pointer)
            TransformerKernels.attention(
                qkv: qkv.pointer, segments: segments, hiddenSize: h, headCount: d.headCount, into: context.pointer)
            TransformerKernels.linear(
                context.pointer, rows: tokenCount, inputs: h,
                weight: layer.attentionOutputWeight, bias: layer.attentionOutputBias,
                outputs: h, into: projected.pointer)
            TransformerKernels.layerNorm(
                x, residual: projected.pointer, weight: layer.attentionNormWeight,
                bias: layer.attentionNormBias, rows: tokenCount, width: h,
                epsilon: d.layerNormEpsilon)

            TransformerKernels.linear(
                x, rows: tokenCount, inputs: h, weight: layer.intermediateWeight,
                bias: layer.intermediateBias, outputs: ff, into: intermediate.pointer)
            d.activation.apply(intermediate.pointer, count: tokenCount * ff)
            TransformerKernels.linear(
                intermediate.pointer, rows: tokenCount, inputs: ff, weight: layer.outputWeight,
                bias: layer.outputBias, outputs: h, into: projected.pointer)
            TransformerKernels.layerNorm(
                x, residual: projected.pointer, weight: layer.outputNormWeight,
                bias: layer.outputNormBias, rows: tokenCount, width: h,
                epsilon: d.layerNormEpsilon)
        }
    }
}
