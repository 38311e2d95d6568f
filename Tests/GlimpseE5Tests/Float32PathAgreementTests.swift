import Foundation
import GlimpseEmbedding
import GlimpseTestSupport
import GlimpseTransformer
import Testing

@testable import GlimpseE5

/// The computation GlimpseE5 used before the Q4 × Q8 kernels: every encoder matrix dequantised to fp32 and run
/// through the fp32 layer stack (sgemm, the one CLIP still uses). Built here only, to check the quantised
/// encoder gives the same vectors.
struct Float32E5Reference {
    let weights: EncoderWeights
    let layers: [EncoderLayerWeights]

    init(modelPath: String) throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: modelPath), options: .alwaysMapped)
        (weights, layers) = try data.withUnsafeBytes { bytes in
            let file = try E5ModelFile(bytes: bytes)
            let c = file.configuration
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
            func matrix(_ names: [String], rows: Int, columns: Int) throws -> [Float] {
                try names.flatMap { name in
                    let range = try file.tensorRange(name, type: .q4, elements: rows * columns)
                    var out = [Float](repeating: 0, count: rows * columns)
                    out.withUnsafeMutableBufferPointer {
                        Q4Blocks.dequantise(bytes.baseAddress! + range.lowerBound, into: $0)
                    }
                    return out
                }
            }
            let layers = try (0..<c.layerCount).map { l in
                EncoderLayerWeights(
                    qkvWeight: try matrix(["q", "k", "v"].map { "l\(l).\($0).w" }, rows: h, columns: h),
                    qkvBias: try floats("l\(l).q.b", h) + floats("l\(l).k.b", h) + floats("l\(l).v.b", h),
                    attentionOutputWeight: try matrix(["l\(l).ao.w"], rows: h, columns: h),
                    attentionOutputBias: try floats("l\(l).ao.b", h),
                    attentionNormWeight: try floats("l\(l).aln.w", h),
                    attentionNormBias: try floats("l\(l).aln.b", h),
                    intermediateWeight: try matrix(["l\(l).fi.w"], rows: c.intermediateSize, columns: h),
                    intermediateBias: try floats("l\(l).fi.b", c.intermediateSize),
                    outputWeight: try matrix(["l\(l).fo.w"], rows: h, columns: c.intermediateSize),
                    outputBias: try floats("l\(l).fo.b", h),
                    outputNormWeight: try floats("l\(l).oln.w", h),
                    outputNormBias: try floats("l\(l).oln.b", h))
            }
            return (try EncoderWeights(file: file, bytes: bytes), layers)
        }
    }

    /// The normalised mean-pooled embedding of one window of token ids (with <s> and </s>).
    func embed(tokenIDs: [Int]) -> [Float] {
        let h = weights.configuration.hiddenSize
        var x = [Float](repeating: 0, count: tokenIDs.count * h)
        x.withUnsafeMutableBufferPointer { x in
            weights.embed(segments: [tokenIDs], into: x.baseAddress!)
            TransformerKernels.layerNorm(
                x.baseAddress!, residual: nil, weight: weights.embeddingNormWeight,
                bias: weights.embeddingNormBias, rows: tokenIDs.count, width: h,
                epsilon: weights.configuration.layerNormEpsilon)
            TransformerPostLayerNormEncoder.run(
                layers: layers, dimensions: weights.dimensions, x: x.baseAddress!,
                segments: [(0, tokenIDs.count)])
        }
        let mean = (0..<h).map { i in (0..<tokenIDs.count).reduce(Float(0)) { $0 + x[$1 * h + i] } }
        return VectorMath.normalised(mean)
    }
}

@Suite struct Float32PathAgreementTests {
    @Test func quantisedEncoderGivesTheFloat32PathsVectorsWithinCosine09995() throws {
        let embedder = try loadedEmbedder()
        let reference = try Float32E5Reference(modelPath: modelPath)
        let fixture = try ReferenceFixture.load()
        var minimum: Float = 1
        for entry in fixture.entries where entry.tokenIDs.count <= embedder.configuration.maxPositions {
            let expected = reference.embed(
                tokenIDs: embedder.tokenIDs(entry.text, role: entry.embeddingRole))
            let vector = try embedder.embed([entry.text], role: entry.embeddingRole)[0]
            let similarity = cosine(vector, expected)
            minimum = min(minimum, similarity)
            #expect(
                similarity >= 0.9995,
                "cosine \(similarity) for \(entry.role) \(entry.text.debugDescription)")
        }
        print("E5 quantised vs fp32 path: minimum cosine \(minimum)")
    }

    @Test func vectorsAreIdenticalOnOneAndOnSeveralThreads() throws {
        let shared = try loadedEmbedder()
        let single = try E5TextEmbedder(modelPath: modelPath, threadCount: 1)
        let several = try E5TextEmbedder(modelPath: modelPath, threadCount: 3)
        let texts =
            EmbeddingPropertiesTests.texts + [String(repeating: "长句子 long sentence ", count: 40)]
        let expected = try single.embed(texts, role: .passage)
        #expect(try several.embed(texts, role: .passage) == expected)
        #expect(try shared.embed(texts, role: .passage) == expected)
        #expect(single.threadCount == 1 && several.threadCount == 3)
    }

    @Test func weightsStayFourBitInMemory() throws {
        let embedder = try loadedEmbedder()
        // 21.2M encoder weights at 5 bits (nibbles + fp32 block scales) plus the 4-bit token table (~70 MB):
        // far below the 85 MB an fp32 copy of the encoder matrices alone used to take on top.
        let c = embedder.configuration
        let matrixWeights =
            c.layerCount * (4 * c.hiddenSize * c.hiddenSize + 2 * c.hiddenSize * c.intermediateSize)
        let tokenTable = c.vocabularySize * c.hiddenSize / 32 * 18
        #expect(embedder.weightByteCount < tokenTable + matrixWeights * 3 / 4)
        #expect(embedder.weightByteCount > tokenTable + matrixWeights / 2)
    }
}
