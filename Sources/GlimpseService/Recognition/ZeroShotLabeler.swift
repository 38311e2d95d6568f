import Foundation
import GlimpseEmbedding

/// Zero-shot recognition as CLIP does it: every label of the vocabulary becomes a vector (its prompts embedded by
/// the space's text tower, each normalised, averaged and normalised again), and an image's label probabilities are
/// the softmax over the vocabulary of `exp(logitScale) × cosine(image, label)` — the same numbers as transformers'
/// `CLIPModel` logits with the ensembled label vectors as the texts.
///
/// The label vectors cost one text-tower pass per prompt (labels × templates), so they are computed once per model
/// and vocabulary, in the background from `prepare()` or the first request, and cached in the data directory
/// (`LabelVectorFile`).
public final class ZeroShotLabeler: ImageLabeler {
    public let spaceName: String
    public let vocabulary: LabelVocabulary
    /// The language of the prompts (the text tower's).
    public let language: LabelLanguage
    public let logitScale: Float
    private let vectors: LabelVectorStore

    /// `textEmbedder` embeds into the image space `spaceName` names; `cacheDirectory` nil keeps the vectors in
    /// memory only. `modelFingerprint` identifies the weights (the daemon's fingerprint of the checkpoint files).
    public init(
        textEmbedder: any TextEmbedder, logitScale: Float, language: LabelLanguage,
        vocabulary: LabelVocabulary = .builtIn, cacheDirectory: URL?, modelFingerprint: String
    ) {
        self.spaceName = textEmbedder.spaceName
        self.vocabulary = vocabulary
        self.language = language
        self.logitScale = logitScale
        let file = cacheDirectory.map {
            LabelVectorFile.url(
                directory: $0, spaceName: textEmbedder.spaceName, modelFingerprint: modelFingerprint,
                vocabulary: vocabulary, language: language)
        }
        self.vectors = LabelVectorStore(
            embedder: textEmbedder, vocabulary: vocabulary, language: language, file: file)
    }

    /// Starts computing (or loading) the label vectors, so the first request does not wait for them.
    public func prepare() {
        Task { [vectors] in _ = try? await vectors.matrix() }
    }

    /// Every label's probability for the image, in vocabulary order (sums to 1).
    public func probabilities(forImageVector vector: [Float]) async throws -> [Float] {
        let matrix = try await vectors.matrix()
        guard vector.count == matrix.first?.count else {
            throw ServiceError(
                .internal, code: .internal,
                "the image vector has \(vector.count) dimensions but the labels of \(spaceName) have \(matrix.first?.count ?? 0)"
            )
        }
        let image = VectorMath.normalised(vector)
        let scale = Double(Float(exp(Double(logitScale))))
        let logits = matrix.map { scale * Double(VectorMath.dot(image, $0)) }
        let largest = logits.max() ?? 0
        let exponentials = logits.map { exp($0 - largest) }
        let total = exponentials.reduce(0, +)
        return exponentials.map { Float($0 / total) }
    }

    public func labels(forImageVector vector: [Float], count: Int) async throws -> [RecognizedLabel] {
        let probabilities = try await probabilities(forImageVector: vector)
        let order = probabilities.indices.sorted {
            probabilities[$0] != probabilities[$1] ? probabilities[$0] > probabilities[$1] : $0 < $1
        }
        return order.prefix(max(0, count)).map {
            RecognizedLabel(
                english: vocabulary.labels[$0].english, chinese: vocabulary.labels[$0].chinese,
                probability: probabilities[$0])
        }
    }

    /// One label's vector: its prompts embedded, each normalised, averaged and normalised (CLIP's ensembling).
    public static func labelVectors(
        embedder: any TextEmbedder, vocabulary: LabelVocabulary, language: LabelLanguage
    ) throws -> [[Float]] {
        let templates = language.templates.count
        // A few labels per call, so the tower sees batches without holding every prompt's vector at once.
        let labelsPerCall = max(1, 64 / templates)
        var result: [[Float]] = []
        result.reserveCapacity(vocabulary.labels.count)
        var first = 0
        while first < vocabulary.labels.count {
            let chunk = vocabulary.labels[first..<min(first + labelsPerCall, vocabulary.labels.count)]
            let prompts = chunk.flatMap { language.prompts(for: language.name(of: $0)) }
            let embedded = try embedder.embed(prompts, role: .query)
            for index in 0..<chunk.count {
                var sum = [Float](repeating: 0, count: embedder.dimension)
                for prompt in embedded[(index * templates)..<((index + 1) * templates)] {
                    let unit = VectorMath.normalised(prompt)
                    for d in 0..<sum.count { sum[d] += unit[d] }
                }
                for d in 0..<sum.count { sum[d] /= Float(templates) }
                result.append(VectorMath.normalised(sum))
            }
            first += chunk.count
        }
        return result
    }
}

/// Computes the label vectors once (reading or writing the cache file) and hands the same matrix to every caller.
/// The text tower runs on a Dispatch queue, not on the cooperative pool, since it takes seconds to minutes.
actor LabelVectorStore {
    private let embedder: any TextEmbedder
    private let vocabulary: LabelVocabulary
    private let language: LabelLanguage
    private let file: URL?
    private var loading: Task<[[Float]], any Error>?

    init(embedder: any TextEmbedder, vocabulary: LabelVocabulary, language: LabelLanguage, file: URL?) {
        self.embedder = embedder
        self.vocabulary = vocabulary
        self.language = language
        self.file = file
    }

    func matrix() async throws -> [[Float]] {
        if let loading { return try await loading.value }
        let (embedder, vocabulary, language, file) = (embedder, vocabulary, language, file)
        let task = Task {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<[[Float]], any Error>) in
                DispatchQueue.global(qos: .utility).async {
                    continuation.resume(
                        with: Result {
                            try Self.load(embedder: embedder, vocabulary: vocabulary, language: language, file: file)
                        })
                }
            }
        }
        loading = task
        do {
            return try await task.value
        } catch {
            loading = nil  // the next request tries again (an unwritable cache file is not a failure)
            throw error
        }
    }

    private static func load(
        embedder: any TextEmbedder, vocabulary: LabelVocabulary, language: LabelLanguage, file: URL?
    ) throws -> [[Float]] {
        if let file,
            let cached = LabelVectorFile.read(file, count: vocabulary.labels.count, dimension: embedder.dimension)
        {
            return cached
        }
        let vectors = try ZeroShotLabeler.labelVectors(embedder: embedder, vocabulary: vocabulary, language: language)
        // The cache only saves time: a read-only data directory still recognises.
        if let file { try? LabelVectorFile.write(vectors, to: file) }
        return vectors
    }
}
