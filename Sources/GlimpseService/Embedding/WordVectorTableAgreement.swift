import GlimpseEmbedding
import GlimpseLanguage

/// How closely a word-vector table stands in for the live embedder, on a set of queries: every table vector the
/// queries' alignment uses against the embedder's own vector of the text (embedded alone), and whether the aligner
/// chooses the same texts to search with the table as without it. `glimpse-bench load` prints it for its table.
public struct WordVectorTableAgreement: Sendable {
    /// Table vectors compared with the live embedder.
    public var vectorsCompared = 0
    public var minimumCosine: Float = 1
    public var meanCosine: Float = 1
    /// Queries aligned both ways, and those whose searched texts differ.
    public var queries = 0
    public var changedQueries: [String] = []

    /// `dictionaryPath`, `cedictPath`: the dictionaries the table was built from (as the daemon loads them).
    public static func measure(
        table: WordVectorTable, embedder: any TextEmbedder, dictionaryPath: String, cedictPath: String?,
        queries: [String]
    ) throws -> WordVectorTableAgreement {
        let aligner = QueryAligner(
            dictionary: try BilingualDictionary.load(contentsOf: dictionaryPath, cedictPath: cedictPath))
        var live: [String: [Float]] = [:]
        func embedLive(_ texts: [String]) throws -> [[Float]] {
            try texts.map { text in
                if let known = live[text] { return known }
                let vector = try embedder.embed([text], role: .query)[0]
                live[text] = vector
                return vector
            }
        }
        var result = WordVectorTableAgreement()
        var cosines: [Float] = []
        for query in queries {
            let withTable = try aligner.alignNow(query, stored: { table.vector(for: $0) }, embed: embedLive)
            let without = try aligner.alignNow(query, stored: nil, embed: embedLive)
            result.queries += 1
            if withTable.streams.map({ $0.map(\.text) }) != without.streams.map({ $0.map(\.text) }) {
                result.changedQueries.append(query)
            }
            for variant in withTable.streams.joined() {
                guard let stored = table.vector(for: variant.text) else { continue }
                let reference = try embedLive([variant.text])[0]
                cosines.append(VectorMath.dot(stored, reference))
            }
        }
        result.vectorsCompared = cosines.count
        result.minimumCosine = cosines.min() ?? 1
        result.meanCosine = cosines.isEmpty ? 1 : cosines.reduce(0, +) / Float(cosines.count)
        return result
    }
}

extension QueryAligner {
    /// `align` without suspension, for tools that embed synchronously.
    func alignNow(
        _ query: String, stored: ((String) -> [Float]?)?, embed: ([String]) throws -> [[Float]]
    ) throws -> AlignedQuery {
        var vectors: [String: [Float]] = [:]
        while true {
            var resolution = Resolution(aligner: self, vectors: vectors)
            if let stored {
                // Stored vectors first, as the search engine asks the table before the embedder.
                _ = resolution.align(query)
                for text in resolution.missing { if let vector = stored(text) { vectors[text] = vector } }
                resolution = Resolution(aligner: self, vectors: vectors)
            }
            let aligned = resolution.align(query)
            let missing = resolution.missing
            if missing.isEmpty { return aligned }
            let embedded = try embed(missing)
            guard embedded.count == missing.count else {
                throw AlignmentEmbeddingMismatch(asked: missing.count, got: embedded.count)
            }
            for (text, vector) in zip(missing, embedded) { vectors[text] = vector }
        }
    }
}
