import GlimpseEmbedding
import GlimpseLanguage

/// One text searched for a query, with its query-role embedding.
struct QueryVariant: Sendable {
    enum Kind: String, Sendable {
        case original
        /// One single-language run of a mixed query.
        case part
        /// A dictionary translation of the query or of one of its parts.
        case translation
    }

    let text: String
    let kind: Kind
    /// nil for a query that mixes or has neither language: it is compared with captions of every language.
    let language: QueryLanguage?
    let vector: [Float]
}

/// The variants of one query, grouped into streams: one stream per sense when the dictionary offers a query
/// several distinct translations (bat → 蝙蝠 / 球棒), else a single stream. Each stream is searched and fused on
/// its own; the engine then interleaves the streams so every sense shows up near the top.
struct AlignedQuery: Sendable {
    var streams: [[QueryVariant]]

    var texts: [String] {
        var seen: [String] = []
        for variant in streams.flatMap({ $0 }) where !seen.contains(variant.text) { seen.append(variant.text) }
        return seen
    }
}

/// Cross-lingual query alignment: detect the query's language by script, split mixed queries, propose
/// translations through the bilingual dictionary, and keep the translations the embedder itself finds closest in
/// meaning to what was typed (the dictionary proposes, the model disposes: 狗 → dog, not pooch).
struct QueryAligner: Sendable {
    let translator: QueryTranslator
    /// A candidate whose cosine to the typed text is below this is not a translation of it.
    var minimumSimilarity: Float = 0.80
    /// Further senses are kept if their cosine is within this of the best candidate's.
    var senseMargin: Float = 0.02
    var maxSenses = 2

    init(dictionary: BilingualDictionary) {
        self.translator = QueryTranslator(dictionary: dictionary)
    }

    func align(_ query: String, embedder: any TextEmbedder) throws -> AlignedQuery {
        let parts: [QueryPart]
        switch LanguageDetector.detect(query) {
        case .unknown:
            parts = []
        case .single(let language):
            parts = [QueryPart(query, language)]
        case .mixed:
            parts = QuerySplitter.split(query)
        }
        let candidates = parts.map { translator.candidates(for: $0) }
        // One embedder call for everything: the query, its parts (if mixed) and every candidate.
        var texts = [query]
        if parts.count > 1 { texts += parts.map(\.text) }
        texts += candidates.flatMap { $0 }
        let vectors = try embedder.embed(texts, role: .query)

        let original = QueryVariant(
            text: query, kind: .original, language: parts.count == 1 ? parts[0].language : nil, vector: vectors[0])
        var next = 1
        var partVariants: [QueryVariant] = []
        if parts.count > 1 {
            for part in parts {
                partVariants.append(QueryVariant(text: part.text, kind: .part, language: part.language, vector: vectors[next]))
                next += 1
            }
        }
        var senses: [[QueryVariant]] = []
        for (partIndex, partCandidates) in candidates.enumerated() {
            let partVector = parts.count > 1 ? partVariants[partIndex].vector : original.vector
            let scored = partCandidates.enumerated().map { offset, text in
                (text: text, vector: vectors[next + offset], similarity: Self.dot(partVector, vectors[next + offset]))
            }
            next += partCandidates.count
            let target = parts[partIndex].language.other
            let plausible = scored.filter { $0.similarity >= minimumSimilarity }
            let kept: [(text: String, vector: [Float], similarity: Float)]
            switch target {
            case .chinese:
                // The dictionary's order is its sense order; keep its first senses.
                kept = Array(plausible.prefix(maxSenses))
            case .english:
                // Many rare synonyms share a main gloss (狗: dog, pooch, mutt…): the embedder picks.
                guard let best = plausible.max(by: { $0.similarity < $1.similarity }) else { continue }
                kept = Array(plausible.filter { $0.similarity >= best.similarity - senseMargin }
                    .sorted { $0.similarity > $1.similarity }.prefix(maxSenses))
            }
            guard !kept.isEmpty else { continue }
            senses.append(kept.map { QueryVariant(text: $0.text, kind: .translation, language: target, vector: $0.vector) })
        }
        let shared = [original] + partVariants
        // Several senses only for a single-language query; a mixed query's parts already make it specific.
        if parts.count == 1, let only = senses.first, only.count > 1 {
            return AlignedQuery(streams: only.map { shared + [$0] })
        }
        return AlignedQuery(streams: [shared + senses.flatMap { $0 }])
    }

    static func dot(_ a: [Float], _ b: [Float]) -> Float {
        var sum: Float = 0
        for i in 0..<min(a.count, b.count) { sum += a[i] * b[i] }
        return sum
    }
}
