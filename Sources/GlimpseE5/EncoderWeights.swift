import GlimpseTokenizers
import GlimpseTransformer

/// Everything the encoder needs besides the token embeddings, which stay 4-bit (250k rows) and are dequantised
/// per token.
struct EncoderWeights: Sendable {
    let configuration: E5Configuration
    /// Q4_0 rows of the word embedding table, `configuration.vocabularySize` rows of `hiddenSize` weights.
    let wordEmbeddings: [UInt8]
    let positionEmbeddings: [Float]
    /// Row 0 of the token-type table: E5 feeds every token as type 0.
    let tokenTypeEmbedding: [Float]
    let embeddingNormWeight: [Float]
    let embeddingNormBias: [Float]
    let layers: [EncoderLayerWeights]

    var wordEmbeddingRowBytes: Int { Q4Blocks.byteCount(weights: configuration.hiddenSize) }

    init(file: E5ModelFile, bytes: UnsafeRawBufferPointer) throws {
        let c = file.configuration
        configuration = c
        let h = c.hiddenSize

        func floats(_ name: String, _ count: Int) throws -> [Float] {
            let range = try file.tensorRange(name, type: .float32, elements: count)
            return (0..<count).map {
                Float(
                    bitPattern: UInt32(
                        littleEndian: bytes.loadUnaligned(fromByteOffset: range.lowerBound + $0 * 4, as: UInt32.self)))
            }
        }
        func dequantised(_ name: String, rows: Int, columns: Int, into output: inout [Float], at start: Int = 0) throws
        {
            let range = try file.tensorRange(name, type: .q4, elements: rows * columns)
            output.withUnsafeMutableBufferPointer { out in
                Q4Blocks.dequantise(
                    bytes.baseAddress! + range.lowerBound,
                    into: UnsafeMutableBufferPointer(rebasing: out[start..<(start + rows * columns)]))
            }
        }
        func matrix(_ name: String, rows: Int, columns: Int) throws -> [Float] {
            var output = [Float](repeating: 0, count: rows * columns)
            try dequantised(name, rows: rows, columns: columns, into: &output)
            return output
        }

        let wordRange = try file.tensorRange("emb.word", type: .q4, elements: c.vocabularySize * h)
        wordEmbeddings = [UInt8](bytes[wordRange])
        positionEmbeddings = try floats("emb.pos", c.maxPositions * h)
        tokenTypeEmbedding = Array(try floats("emb.type", c.tokenTypeCount * h)[0..<h])
        embeddingNormWeight = try floats("emb.ln.w", h)
        embeddingNormBias = try floats("emb.ln.b", h)

        layers = try (0..<c.layerCount).map { l in
            var qkv = [Float](repeating: 0, count: 3 * h * h)
            for (i, part) in ["q", "k", "v"].enumerated() {
                try dequantised("l\(l).\(part).w", rows: h, columns: h, into: &qkv, at: i * h * h)
            }
            return EncoderLayerWeights(
                qkvWeight: qkv,
                qkvBias: try floats("l\(l).q.b", h) + floats("l\(l).k.b", h) + floats("l\(l).v.b", h),
                attentionOutputWeight: try matrix("l\(l).ao.w", rows: h, columns: h),
                attentionOutputBias: try floats("l\(l).ao.b", h),
                attentionNormWeight: try floats("l\(l).aln.w", h),
                attentionNormBias: try floats("l\(l).aln.b", h),
                intermediateWeight: try matrix("l\(l).fi.w", rows: c.intermediateSize, columns: h),
                intermediateBias: try floats("l\(l).fi.b", c.intermediateSize),
                outputWeight: try matrix("l\(l).fo.w", rows: h, columns: c.intermediateSize),
                outputBias: try floats("l\(l).fo.b", h),
                outputNormWeight: try floats("l\(l).oln.w", h),
                outputNormBias: try floats("l\(l).oln.b", h))
        }
    }
}
