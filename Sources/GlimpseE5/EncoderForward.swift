import Foundation
import GlimpseTokenizers
import GlimpseTransformer

/// E5's BERT forward pass over a batch of segments: embeddings, then the post-LayerNorm layer stack on 4-bit weights
/// (`QuantisedPostLayerNormEncoder`, split across `pool`), then mean pooling. Scratch memory is allocated per call:
/// the weights are shared by concurrent callers, the activations are not.
extension EncoderWeights {
    /// Mean of the final hidden states over each segment's tokens (including <s> and </s>), `segments.count` rows
    /// of `hiddenSize`. Every segment must hold 1...maxPositions valid token ids.
    func meanPooledHiddenStates(segments: [[Int]], pool: WorkerPool) -> [Float] {
        let h = configuration.hiddenSize
        let tokenCount = segments.reduce(0) { $0 + $1.count }
        var pooled = [Float](repeating: 0, count: segments.count * h)
        guard tokenCount > 0 else { return pooled }

        let x = TransformerBuffer(count: tokenCount * h)  // the residual stream
        defer { x.deallocate() }

        var starts: [Int] = []
        var offset = 0
        for segment in segments {
            starts.append(offset)
            offset += segment.count
        }
        let spans = Array(zip(starts, segments.map(\.count)))

        embed(segments: segments, into: x.pointer)
        TransformerKernels.layerNorm(
            x.pointer, residual: nil, weight: embeddingNormWeight, bias: embeddingNormBias,
            rows: tokenCount, width: h, epsilon: configuration.layerNormEpsilon)
        QuantisedPostLayerNormEncoder.run(
            layers: layers, dimensions: dimensions, x: x.pointer, segments: spans,
            pool: pool)

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

    /// E5 (BERT) uses exact GELU.
    var dimensions: TransformerDimensions {
        TransformerDimensions(
            hiddenSize: configuration.hiddenSize, headCount: configuration.headCount,
            intermediateSize: configuration.intermediateSize,
            layerNormEpsilon: configuration.layerNormEpsilon, activation: .gelu)
    }

    /// word (dequantised 4-bit row) + position (ids restart at 0 in every segment) + token type 0.
    func embed(segments: [[Int]], into x: UnsafeMutablePointer<Float>) {
        let h = configuration.hiddenSize
        let rowBytes = wordEmbeddingRowBytes
        wordEmbeddings.withUnsafeBytes { words in
            positionEmbeddings.withUnsafeBufferPointer { positions in
                tokenTypeEmbedding.withUnsafeBufferPointer { type in
                    var t = 0
                    for segment in segments {
                        for (position, id) in segment.enumerated() {
                            let row = x + t * h
                            Q4Blocks.dequantise(
                                words.baseAddress! + id * rowBytes,
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
}
