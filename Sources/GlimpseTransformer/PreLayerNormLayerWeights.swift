/// One CLIP encoder layer (`CLIPEncoderLayer`, also Chinese-CLIP's vision layer) in fp32. Matrices are row-major
/// [out, in] as stored; query, key and value are stacked into one [3H, H] matrix so they take one sgemm.
package struct PreLayerNormLayerWeights: Sendable {
    package let norm1Weight: [Float], norm1Bias: [Float]
    package let qkvWeight: [Float], qkvBias: [Float]
    package let outputWeight: [Float], outputBias: [Float]
    package let norm2Weight: [Float], norm2Bias: [Float]
    package let fc1Weight: [Float], fc1Bias: [Float]
    package let fc2Weight: [Float], fc2Bias: [Float]

    /// Reads `<prefix>layer_norm1.weight`, `<prefix>self_attn.q_proj.weight`, … (transformers' names).
    package init(file: any TensorSource, prefix p: String, hiddenSize h: Int, intermediateSize ff: Int)
        throws
    {
        norm1Weight = try file.floats(p + "layer_norm1.weight", shape: [h])
        norm1Bias = try file.floats(p + "layer_norm1.bias", shape: [h])
        qkvWeight = try ["q", "k", "v"].flatMap {
            try file.floats(p + "self_attn.\($0)_proj.weight", shape: [h, h])
        }
        qkvBias = try ["q", "k", "v"].flatMap {
            try file.floats(p + "self_attn.\($0)_proj.bias", shape: [h])
        }
        outputWeight = try file.floats(p + "self_attn.out_proj.weight", shape: [h, h])
        outputBias = try file.floats(p + "self_attn.out_proj.bias", shape: [h])
        norm2Weight = try file.floats(p + "layer_norm2.weight", shape: [h])
        norm2Bias = try file.floats(p + "layer_norm2.bias", shape: [h])
        fc1Weight = try file.floats(p + "mlp.fc1.weight", shape: [ff, h])
        fc1Bias = try file.floats(p + "mlp.fc1.bias", shape: [ff])
        fc2Weight = try file.floats(p + "mlp.fc2.weight", shape: [h, ff])
        fc2Bias = try file.floats(p + "mlp.fc2.bias", shape: [h])
    }
}

/// CLIP's pre-LayerNorm layer stack: per layer x += Attention(LN1(x)), x += FC2(act(FC1(LN2(x)))). All segments'
/// tokens are rows of one [T, H] matrix so each weight matrix is streamed once per batch; attention stays within a
/// segment (and is causal for CLIP's text tower).
package enum PreLayerNormEncoder {
    package static func run(
        layers: [PreLayerNormLayerWeights], dimensions d: TransformerDimensions, x: UnsafeMutablePointer<Float>,
        segments: [(start: Int, length: Int)], causal: Bool
    ) {
        let h = d.hiddenSize
        let ff = d.intermediateSize
        let eps = d.layerNormEpsilon
        let tokens = segments.reduce(0) { $0 + $1.length }
        guard tokens > 0 else { return }
        let normed = TransformerBuffer(count: tokens * h)
        let qkv = TransformerBuffer(count: tokens * 3 * h)
        let context = TransformerBuffer(count: tokens * h)
        let projected = TransformerBuffer(count: tokens * h)
        let intermediate = TransformerBuffer(count: tokens * ff)
        defer { for buffer in [normed, qkv, context, projected, intermediate] { buffer.deallocate() } }

        for layer in layers {
            TransformerKernels.layerNorm(
                x, into: normed.pointer, weight: layer.norm1Weight, bias: layer.norm1Bias,
                rows: tokens, width: h, epsilon: eps)
            TransformerKernels.linear(
                normed.pointer, rows: tokens, inputs: h, weight: layer.qkvWeight,
                bias: layer.qkvBias, outputs: 3 * h, into: qkv.pointer)
            TransformerKernels.attention(
                qkv: qkv.pointer, segments: segments, hiddenSize: h, headCount: d.headCount,
                causal: causal, into: context.pointer)
            TransformerKernels.linear(
                context.pointer, rows: tokens, inputs: h, weight: layer.outputWeight,
                bias: layer.outputBias, outputs: h, into: projected.pointer)
            TransformerKernels.add(projected.pointer, to: x, count: tokens * h)

            TransformerKernels.layerNorm(
                x, into: normed.pointer, weight: layer.norm2Weight, bias: layer.norm2Bias,
                rows: tokens, width: h, epsilon: eps)
            TransformerKernels.linear(
                normed.pointer, rows: tokens, inputs: h, weight: layer.fc1Weight,
                bias: layer.fc1Bias, outputs: ff, into: intermediate.pointer)
            d.activation.apply(intermediate.pointer, count: tokens * ff)
            TransformerKernels.linear(
                intermediate.pointer, rows: tokens, inputs: ff, weight: layer.fc2Weight,
                bias: layer.fc2Bias, outputs: h, into: projected.pointer)
            TransformerKernels.add(projected.pointer, to: x, count: tokens * h)
        }
    }
}
