import GlimpseEmbedding
import GlimpseTokenizers
import GlimpseTransformer

/// transformers' `CLIPTextTransformer` + `text_projection`: token + position embeddings, causal pre-LN layers,
/// `final_layer_norm`, pooling at the end-of-text token, projection without bias.
public struct OpenAICLIPTextTower: CLIPTextTower {
    public let configuration: CLIPTextConfiguration
    public let projectionDimension: Int
    private let tokenEmbedding: [Float]  // [V, H]
    private let positionEmbedding: [Float]  // [maxPositions, H]
    private let layers: [PooledPreLayerNormLayer]
    /// Every step of a forward pass is split across these threads (as in the vision tower).
    private let pool: WorkerPool
    private let finalNormWeight: [Float], finalNormBias: [Float]
    private let projection: [Float]  // [D, H]

    public init(file: any TensorSource, configuration c: CLIPTextConfiguration, projectionDimension: Int) throws {
        configuration = c
        self.projectionDimension = projectionDimension
        let h = c.hiddenSize
        let p = "text_model."
        tokenEmbedding = try file.floats(p + "embeddings.token_embedding.weight", shape: [c.vocabularySize, h])
        positionEmbedding = try file.floats(p + "embeddings.position_embedding.weight", shape: [c.maxPositions, h])
        layers = try (0..<c.layerCount).map {
            PooledPreLayerNormLayer(
                try PreLayerNormLayerWeights(
                    file: file, prefix: p + "encoder.layers.\($0).", hiddenSize: h,
                    intermediateSize: c.intermediateSize),
                hiddenSize: h, intermediateSize: c.intermediateSize, precision: .fp32)
        }
        pool = WorkerPool(threadCount: WorkerPool.configuredThreadCount)
        BLAS.useCallerThreadsOnly()
        finalNormWeight = try file.floats(p + "final_layer_norm.weight", shape: [h])
        finalNormBias = try file.floats(p + "final_layer_norm.bias", shape: [h])
        projection = try file.floats("text_projection.weight", shape: [projectionDimension, h])
    }

    /// The position CLIPTextTransformer pools at: for the legacy `eos_token_id` 2 the (first) largest id, as
    /// original CLIP checkpoints put <|endoftext|> last in the vocabulary; otherwise the first `eos_token_id`
    /// (position 0 when there is none, as `argmax` of all zeros gives).
    public func poolingPosition(_ ids: [Int]) -> Int {
        if configuration.eosTokenID == 2 {
            var best = 0
            for (i, id) in ids.enumerated() where id > ids[best] { best = i }
            return best
        }
        return ids.firstIndex(of: configuration.eosTokenID ?? -1) ?? 0
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
        tokenEmbedding.withUnsafeBufferPointer { words in
            positionEmbedding.withUnsafeBufferPointer { positions in
                for (sequence, span) in zip(sequences, spans) {
                    for (position, id) in sequence.enumerated() {
                        let row = x.pointer + (span.start + position) * h
                        let w = words.baseAddress! + id * h
                        let p = positions.baseAddress! + position * h
                        for i in 0..<h { row[i] = w[i] + p[i] }
                    }
                }
            }
        }
        let dimensions = TransformerDimensions(
            hiddenSize: h, headCount: c.headCount,
            intermediateSize: c.intermediateSize,
            layerNormEpsilon: c.layerNormEpsilon, activation: c.activation)
        PooledPreLayerNormEncoder.run(
            layers: layers, dimensions: dimensions, x: x.pointer, segments: spans, causal: true, pool: pool)

        // final_layer_norm is row-wise, so normalising only the pooled rows gives the same values.
        let n = sequences.count
        let pooled = TransformerBuffer(count: n * h)
        let projected = TransformerBuffer(count: n * d)
        defer {
            pooled.deallocate()
            projected.deallocate()
        }
        for (index, (sequence, span)) in zip(sequences, spans).enumerated() {
            (pooled.pointer + index * h).update(
                from: x.pointer + (span.start + poolingPosition(sequence)) * h, count: h)
        }
        TransformerKernels.layerNorm(
            pooled.pointer, residual: nil, weight: finalNormWeight, bias: finalNormBias,
            rows: n, width: h, epsilon: c.layerNormEpsilon)
        TransformerKernels.linear(
            pooled.pointer, rows: n, inputs: h, weight: projection, bias: nil, outputs: d,
            into: projected.pointer)
        return (0..<n).map { Array(UnsafeBufferPointer(start: projected.pointer + $0 * d, count: d)) }
    }
}
