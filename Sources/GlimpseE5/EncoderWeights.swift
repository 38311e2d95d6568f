import GlimpseTokenizers
import GlimpseTransformer

/// Everything the encoder needs. Weight matrices stay 4-bit (repacked `Q4Matrix`, computed on by the Q4 × Q8
/// kernels, never expanded to fp32); token embeddings stay in their Q4_0 rows (250k rows) and are dequantised per
/// token.
struct EncoderWeights: Sendable {
    let configuration: E5Configuration
    /// Q4_0 rows of the word embedding table, `configuration.vocabularySize` rows of `hiddenSize` weights.
    let wordEmbeddings: [UInt8]
    let positionEmbeddings: [Float]
    /// Row 0 of the token-type table: E5 feeds every token as type 0.
    let tokenTypeEmbedding: [Float]
    let embeddingNormWeight: [Float]
    let embeddingNormBias: [Float]
    let layers: [QuantisedEncoderLayerWeights]

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
                        littleEndian: bytes.loadUnaligned(
                            fromByteOffset: range.lowerBound + $0 * 4, as: UInt32.self)))
            }
        }
        func q4Rows(_ name: String, rows: Int, columns: Int) throws -> (
            source: UnsafeRawPointer, rows: Int
        ) {
            let range = try file.tensorRange(name, type: .q4, elements: rows * columns)
            return (bytes.baseAddress! + range.lowerBound, rows)
        }
        func matrix(_ name: String, rows: Int, columns: Int) throws -> Q4Matrix {
            Q4Matrix(columns: columns, parts: [try q4Rows(name, rows: rows, columns: columns)])
        }

        let wordRange = try file.tensorRange("emb.word", type: .q4, elements: c.vocabularySize * h)
        wordEmbeddings = [UInt8](bytes[wordRange])
        positionEmbeddings = try floats("emb.pos", c.maxPositions * h)
        tokenTypeEmbedding = Array(try floats("emb.type", c.tokenTypeCount * h)[0..<h])
        embeddingNormWeight = try floats("emb.ln.w", h)
        embeddingNormBias = try floats("emb.ln.b", h)

        layers = try (0..<c.layerCount).map { l in
            let qkv = Q4Matrix(
                columns: h,
                parts: try ["q", "k", "v"].map { try q4Rows("l\(l).\($0).w", rows: h, columns: h) })
            return QuantisedEncoderLayerWeights(
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
