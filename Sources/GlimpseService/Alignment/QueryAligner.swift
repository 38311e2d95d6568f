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
    /// Whether parts or translations were left out under the `QueryExpansionLimits`.
    var expansionCut = false

    var texts: [String] {
        var seen: [String] = []
        for variant in streams.flatMap({ $0 }) where !seen.contains(variant.text) { seen.append(variant.text) }
        return seen
    }
}

/// Cross-lingual query alignment: detect the query's language by script, split mixed queries, and add the
/// dictionary's translations, closed under one back-translation so that a query and its translation expand to
/// the same texts (dog → 狗 → dog, mutt, pooch; 狗 → dog, mutt, pooch → 狗): the Chinese and the English query
/// then search the same texts and get the same results.
///
/// English → Chinese follows the dictionary's order (its first gloss is the main sense). Chinese → English keeps
/// the first few headwords whose main gloss the word is, since neither the dictionary's order nor the embedder
/// reliably picks the common one (熊猫: panda, bearcat) and a rare synonym matches little anyway. Several main
/// glosses of an English word are separate senses (bat → 蝙蝠, 球棒), each searched as its own stream.
struct QueryAligner: Sendable {
    let translator: QueryTranslator
    /// English translations of a Chinese word searched together.
    var englishCandidates = 2
    /// Main glosses of an English word searched as separate senses.
    var maxSenses = 2
    /// CC-CEDICT synonyms of an English word searched with its main sense.
    var synonymCount = 2
    /// Bounds on the parts and translations one query adds.
    var limits = QueryExpansionLimits()

    init(dictionary: BilingualDictionary, limits: QueryExpansionLimits = QueryExpansionLimits()) {
        self.translator = QueryTranslator(dictionary: dictionary)
        self.limits = limits
    }

    /// Aligns a query, embedding each distinct text once and, in all but one case, every text in one embedder call.
    ///
    /// Aligning needs vectors twice over: to choose among the dictionary's candidates (`closest`) and for the texts
    /// finally searched, which are mostly the chosen candidates. A pass over the vectors at hand (`Resolution`)
    /// makes every choice it can and lists the texts it still lacks; those are embedded in one call and the pass
    /// runs again. The first pass already lists every candidate, every fixed text and the query itself, so the
    /// second pass finds nothing missing, unless an English word is known only through CC-CEDICT synonyms: then
    /// its back-translations depend on the synonym the embedder ranks first, and a second call embeds those.
    /// `embed` gives the query-role vectors of its texts, in order (the search engine's cache and batcher).
    /// `stored`: vectors known without embedding (the install-time `WordVectorTable`), asked before `embed`.
    func align(
        _ query: String, stored: (@Sendable (String) -> [Float]?)? = nil,
        embed: ([String]) async throws -> [[Float]]
    ) async throws -> AlignedQuery {
        var vectors: [String: [Float]] = [:]
        while true {
            var resolution = Resolution(aligner: self, vectors: vectors, stored: stored)
            let aligned = resolution.align(query)
            let missing = resolution.missing
            if missing.isEmpty { return aligned }
            let embedded = try await embed(missing)
            // Each pass must learn a vector for every text it lacked, or the loop would not end.
            guard embedded.count == missing.count else {
                throw AlignmentEmbeddingMismatch(asked: missing.count, got: embedded.count)
            }
            for (text, vector) in zip(missing, embedded) { vectors[text] = vector }
        }
    }

    /// This aligner under other expansion bounds (the service configuration's).
    func limited(by limits: QueryExpansionLimits) -> QueryAligner {
        var copy = self
        copy.limits = limits
        return copy
    }

    /// Whether an English word translates back to the Chinese word among its first glosses: 镊子 is glossed
    /// "tweezers, nippers, pliers", but pliers translates to 钳子, so searching it would find pliers for 镊子.
    func roundTrips(_ english: String, to chinese: String) -> Bool {
        translator.candidates(for: QueryPart(english, .english)).prefix(maxSenses + synonymCount).contains(chinese)
            || translator.synonyms(for: QueryPart(english, .english)).contains(chinese)
    }
}

/// An embedder that returned another number of vectors than texts it was given.
struct AlignmentEmbeddingMismatch: Error, CustomStringConvertible {
    let asked: Int
    let got: Int
    var description: String { "the embedder returned \(got) vectors for \(asked) query texts" }
}

extension QueryAligner {
    /// One pass of alignment over the vectors embedded so far. Where a choice needs a vector it lacks, the pass
    /// records the texts (`missing`) and takes no candidate, so every text it records is one the final pass
    /// needs too; the caller discards a pass that missed anything.
    struct Resolution {
        let aligner: QueryAligner
        private(set) var vectors: [String: [Float]]
        let stored: (@Sendable (String) -> [Float]?)?
        /// Texts without a vector, in first-use order, each once.
        private(set) var missing: [String] = []

        init(aligner: QueryAligner, vectors: [String: [Float]], stored: (@Sendable (String) -> [Float]?)? = nil) {
            self.aligner = aligner
            self.vectors = vectors
            self.stored = stored
        }

        private var translator: QueryTranslator { aligner.translator }

        private mutating func vector(_ text: String) -> [Float]? {
            if let vector = vectors[text] { return vector }
            if let vector = stored?(text) {
                vectors[text] = vector
                return vector
            }
            if !missing.contains(text) { missing.append(text) }
            return nil
        }

        /// The vectors of all `texts`, or nil (recording the missing ones) when any is not embedded yet.
        private mutating func vectors(_ texts: [String]) -> [[Float]]? {
            let found = texts.map { vector($0) }
            return found.contains { $0 == nil } ? nil : found.map { $0! }
        }

        mutating func align(_ query: String) -> AlignedQuery {
            var parts: [QueryPart]
            switch LanguageDetector.detect(query) {
            case .unknown:
                parts = []
            case .single(let language):
                parts = [QueryPart(query, language)]
            case .mixed:
                parts = QuerySplitter.split(query)
            }
            let mixed = parts.count > 1
            // The bounds apply before anything is embedded: parts past them are neither searched nor translated
            // (their candidates would cost embeddings too), translations past them are not searched.
            var budget = ExpansionBudget(limits: aligner.limits, query: query)
            if mixed {
                if parts.count > aligner.limits.maxParts {
                    parts = Array(parts.prefix(max(0, aligner.limits.maxParts)))
                    budget.noteCut()
                }
                parts = parts.filter { budget.admit($0.text) }
            }
            var shared: [(text: String, kind: QueryVariant.Kind, language: QueryLanguage?)] = [
                (query, .original, mixed ? nil : parts.first?.language)
            ]
            if mixed { shared += parts.map { ($0.text, .part, $0.language) } }
            var expanded: [[[(text: String, language: QueryLanguage)]]] = []
            for part in parts {
                expanded.append(expansions(of: part).map { sense in sense.filter { budget.admit($0.text) } })
            }

            func variant(_ text: String, _ kind: QueryVariant.Kind, _ language: QueryLanguage?) -> QueryVariant {
                // A pass that lacks a vector is discarded, so the empty placeholder is never searched.
                QueryVariant(text: text, kind: kind, language: language, vector: vectors[text] ?? [])
            }
            for text in shared.map(\.text) + expanded.flatMap({ $0.flatMap { $0.map(\.text) } }) { _ = vector(text) }
            let base = shared.map { variant($0.text, $0.kind, $0.language) }
            // Several senses only for a single-language query; a mixed query's parts already make it specific.
            if !mixed, let senses = expanded.first, senses.filter({ !$0.isEmpty }).count > 1 {
                return AlignedQuery(
                    streams: senses.filter { !$0.isEmpty }.map { sense in
                        base + sense.map { variant($0.text, .translation, $0.language) }
                    }, expansionCut: budget.cut)
            }
            let translations = expanded.flatMap { $0.flatMap { $0 } }.map {
                variant($0.text, .translation, $0.language)
            }
            return AlignedQuery(streams: [base + translations], expansionCut: budget.cut)
        }

        /// The texts to search for one part, per sense, each with its language. A phrase composed word by word
        /// (red car → 红车) takes for each word the gloss the embedder finds closest to that word, so the choice needs
        /// only word vectors, which the word-vector table holds: the query and its composition are then embedded
        /// together in one call. (Ranking whole compositions by the phrase's vector cost up to eight embeddings more
        /// per English phrase, and its eight candidates only ever varied the last word or two of a longer phrase.)
        private mutating func expansions(of part: QueryPart) -> [[(text: String, language: QueryLanguage)]] {
            if translator.isComposed(part) {
                var composition = ""
                var complete = true
                for (word, glosses) in translator.compositionGlosses(for: part) {
                    guard let gloss = closest(to: word, among: glosses, count: 1).first else {
                        complete = false
                        continue
                    }
                    composition += gloss
                }
                guard complete, !composition.isEmpty, composition != part.text else { return [] }
                return [[(composition, .chinese)]]
            }
            switch part.language {
            case .english:
                // The word list's main glosses are the senses; CC-CEDICT's synonyms join the main sense, the ones the
                // embedder finds closest to the word (koala → 考拉 beside the word list's 树袋熊).
                let synonyms = closest(
                    to: part.text, among: translator.synonyms(for: part), count: aligner.synonymCount)
                var senses: [[String]] =
                    translator.hasSenses(part)
                    ? translator.candidates(for: part).prefix(aligner.maxSenses).map { [$0] } : []
                if senses.isEmpty {
                    guard !synonyms.isEmpty else { return [] }
                    senses = [synonyms]
                } else {
                    let known = senses.flatMap { $0 }
                    senses[0] += synonyms.filter { !known.contains($0) }
                }
                var expansions: [[(text: String, language: QueryLanguage)]] = []
                for glosses in senses {
                    let back = closest(
                        to: glosses[0],
                        among: translator.candidates(for: QueryPart(glosses[0], .chinese)).filter {
                            aligner.roundTrips($0, to: glosses[0])
                        },
                        count: aligner.englishCandidates)
                    expansions.append(
                        glosses.map { ($0, .chinese) }
                            + back.filter { $0 != part.text.lowercased() }.map { ($0, .english) })
                }
                return expansions
            case .chinese:
                // CC-CEDICT and the word list together offer several English words (勺子: scoop, ladle, spoon); the first
                // is the dictionary's main sense, the others are those the embedder finds closest to the Chinese word.
                // A Traditional Chinese part (貓) is looked up by its simplified form (猫), as the dictionaries key it;
                // the back-translation then adds the simplified word, which simplified captions use.
                let simplified = translator.dictionary.simplified(part.text)
                let offered = translator.candidates(for: part)
                guard let first = offered.first else { return [] }
                let english =
                    [first]
                    + closest(
                        to: part.text, among: offered.dropFirst().filter { aligner.roundTrips($0, to: simplified) },
                        count: aligner.englishCandidates - 1)
                guard let main = english.first else { return [] }
                let back = translator.candidates(for: QueryPart(main, .english)).first.map { [$0] } ?? []
                return [english.map { ($0, .english) } + back.filter { $0 != part.text }.map { ($0, .chinese) }]
            }
        }

        /// The `count` candidates whose query embeddings are closest to the text's, best first; none (recording
        /// the texts to embed) while any of those embeddings is missing.
        private mutating func closest(to text: String, among candidates: [String], count: Int) -> [String] {
            guard candidates.count > count else { return candidates }
            guard let vectors = vectors([text] + candidates) else { return [] }
            let ranked = candidates.indices.sorted {
                VectorMath.dot(vectors[0], vectors[$0 + 1]) > VectorMath.dot(vectors[0], vectors[$1 + 1])
            }
            return ranked.prefix(count).map { candidates[$0] }
        }
    }
}
