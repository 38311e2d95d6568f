import GlimpseEmbedding
import GlimpseTokenizers
import GlimpseTransformer

/// transformers' `ChineseCLIPTextModel` (BERT) + `text_projection`, as `ChineseCLIPModel.get_text_features` runs
/// it: word + position + token-type-0 embeddings, LayerNorm, post-LN BERT layers (the encoder E5 uses too), then the
/// last hidden state of [CLS] (not the pooler) through the projection without bias.
public struct ChineseCLIPTextTower: CLIPTextTower {
    public let configuration: CLIPTextConfiguration
    public let projectionDimension: Int
    private let wordEmbedding: [Float]  // [V, H]
    private let positionEmbedding: [Float]  // [maxPositions, H]
    private let tokenTypeEmbedding: [Float]  // row 0 of the token-type table
    private let embeddingNormWeight: [Float], embeddingNormBias: [Float]
    private let layers: [EncoderLayerWeights]
    private let projection: [Float]  // [D, H]

    public init(file: any TensorSource, configuration c: CLIPTextConfiguration, projectionDimension: Int) throws {
        configuration = c
        self.projectionDimension = projectionDimension
        let h = c.hiddenSize
        let ff = c.intermediateSize
        let p = "text_model."
        wordEmbedding = try file.floats(p + "embeddings.word_embeddings.weight", shape: [c.vocabularySize, h])
        positionEmbedding = try file.floats(p + "embeddings.position_embeddings.weight", shape: [c.maxPositions, h])
        tokenTypeEmbedding = Array(
            try file.floats(
                p + "embeddings.token_type_embeddings.weight",
                shape: [c.typeVocabularySize, h])[0..<h])
        embeddingNormWeight = try file.floats(p + "embeddings.LayerNorm.weight", shape: [h])
        embeddingNormBias = try file.floats(p + "embeddings.LayerNorm.bias", shape: [h])
        layers = try (0..<c.layerCount).map { l in
            let q = p + "encoder.layer.\(l)."
            func vector(_ name: String, _ n: Int) throws -> [Float] { try file.floats(q + name, shape: [n]) }
            return EncoderLayerWeights(
                qkvWeight: try ["query", "key", "value"].flatMap {
                    try file.floats(q + "attention.self.\($0).weight", shape: [h, h])
                },
                qkvBias: try ["query", "key", "value"].flatMap { try vector("attention.self.\($0).bias", h) },
                attentionOutputWeight: try file.floats(q + "attention.output.dense.weight", shape: [h, h]),
                attentionOutputBias: try vector("attention.output.dense.bias", h),
                attentionNormWeight: try vector("attention.output.LayerNorm.weight", h),
                attentionNormBias: try vector("attention.output.LayerNorm.bias", h),
                intermediateWeight: try file.floats(q + "intermediate.dense.weight", shape: [ff, h]),
                intermediateBias: try vector("intermediate.dense.bias", ff),
                outputWeight: try file.floats(q + "output.dense.weight", shape: [h, ff]),
                outputBias: try vector("output.dense.bias", h),
                outputNormWeight: try vector("output.LayerNorm.weight", h),
                outputNormBias: try vector("output.LayerNorm.bias", h))
        }
        projection = try file.floats("text_projection.weight", shape: [projectionDimension, h])
    }

    public func textFeatures(tokenIDs: [[Int]]) throws -> [[Float]] {
        try validate(tokenIDs)
        return inPackedBatches(tokenIDs, forward)
    }

    private func forward(_ sequences: [[Int]]) -> [[Float]] {
        let c = configuration
        let h = c.hiddenSize
        let d = projectionDimension
        let spans = packedSpans(sequences)
        let tokens = spans.reduce(0) { $0 + $1.length }
        let x = TransformerBuffer(count: tokens * h)
        defer { x.deallocate() }
        wordEmbedding.withUnsafeBufferPointer { words in
            positionEmbedding.withUnsafeBufferPointer { positions in
                tokenTypeEmbedding.withUnsafeBufferPointer { type in
                    for (sequence, span) in zip(sequences, spans) {
                        for (position, id) in sequence.enumerated() {
                            let row = x.pointer + (span.start + position) * h
                            let w = words.baseAddress! + id * h
                            let p = positions.baseAddress! + position * h
                            for i in 0..<h { row[i] = (w[i] + type[i]) + p[i] }  // transformers' order
                        }
                    }
                }
            }
        }
        TransformerKernels.layerNorm(
            x.pointer, residual: nil, weight: embeddingNormWeight, bias: embeddingNormBias,
            rows: tokens, width: h, epsilon: c.layerNormEpsilon)
        let dimensions = TransformerDimensions(
            hiddenSize: h, headCount: c.headCount,
            intermediateSize: c.intermediateSize,
            layerNormEpsilon: c.layerNormEpsilon, activation: c.activation)
        TransformerPostLayerNormEncoder.run(layers: layers, dimensions: dimensions, x: x.pointer, segments: spans)

        let n = sequences.count
        let pooled = TransformerBuffer(count: n * h)
        let projected = TransformerBuffer(count: n * d)
        defer {
            pooled.deallocate()
            projected.deallocate()
        }
        for (index, span) in spans.enumerated() {
            (pooled.pointer + index * h).update(from: x.pointer + span.start * h, count: h)  // [CLS]
        }
        TransformerKernels.linear(
            pooled.pointer, rows: n, inputs: h, weight: projection, bias: nil, outputs: d,
            into: projected.pointer)
        return (0..<n).map { Array(UnsafeBufferPointer(start: projected.pointer + $0 * d, count: d)) }
    }
}
