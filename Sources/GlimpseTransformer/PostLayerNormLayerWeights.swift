/// One post-LayerNorm BERT layer in fp32 (Chinese-CLIP's, widened from fp16/bf16; E5 keeps its 4-bit weights in
/// `QuantisedEncoderLayerWeights`), so the projections run as sgemm over all tokens of a batch. Matrices are row-major [out, in], as stored.
package struct EncoderLayerWeights: Sendable {
    /// Query, key and value projections stacked into one [3H, H] matrix: one sgemm instead of three.
    package let qkvWeight: [Float]
    package let qkvBias: [Float]
    package let attentionOutputWeight: [Float]
    package let attentionOutputBias: [Float]
    package let attentionNormWeight: [Float]
    package let attentionNormBias: [Float]
    package let intermediateWeight: [Float]
    package let intermediateBias: [Float]
    package let outputWeight: [Float]
    package let outputBias: [Float]
    package let outputNormWeight: [Float]
    package let outputNormBias: [Float]

    package init(
        qkvWeight: [Float], qkvBias: [Float], attentionOutputWeight: [Float],
        attentionOutputBias: [Float],
        attentionNormWeight: [Float], attentionNormBias: [Float], intermediateWeight: [Float],
        intermediateBias: [Float],
        outputWeight: [Float], outputBias: [Float], outputNormWeight: [Float], outputNormBias: [Float]
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
}
