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
