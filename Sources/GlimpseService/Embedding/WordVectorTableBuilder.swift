import Foundation
import GlimpseEmbedding
import GlimpseLanguage

/// Builds a `WordVectorTable` for one embedder and one pair of dictionaries: the aligner is run over the
/// vocabulary's query words (`WordTableVocabulary`) and every text it asks for is embedded with the query role,
/// round after round until nothing is missing (a second round holds the back-translations that depend on which
/// synonym the embedder ranks first). Run at install time by `glimpsed --build-word-table`; tests build small ones.
public struct WordVectorTableBuilder {
    public struct Summary: Sendable {
        public var englishWords: Int
        public var chineseWords: Int
        public var texts: Int
        public var rounds: Int
        public var seconds: Double
    }

    let embedder: any TextEmbedder
    let aligner: QueryAligner
    /// Texts per embedder call; sorted by length first, so a batch pads little.
    public var batchSize = 32

    public init(embedder: any TextEmbedder, dictionary: BilingualDictionary) {
        self.embedder = embedder
        self.aligner = QueryAligner(dictionary: dictionary)
    }

    /// The dictionary's `count` most common English words (`WordTableVocabulary`), the install step's vocabulary.
    public func commonEnglishWords(_ count: Int) -> [String] {
        WordTableVocabulary(aligner: aligner).englishWords(max: count)
    }

    /// Embeds what aligning `englishWords` and their main Chinese translations needs, and writes the table to
    /// `url`. `progress` gets a line now and then.
    @discardableResult
    public func build(
        englishWords: [String], modelFingerprint: String, dictionaryChecksum: String, to url: URL,
        progress: (String) -> Void = { _ in }
    ) throws -> Summary {
        let started = ContinuousClock.now
        let vocabulary = WordTableVocabulary(aligner: aligner)
        var queries = englishWords
        let englishCount = queries.count
        var chineseCount = 0
        var vectors: [String: [Float]] = [:]
        var rounds = 0
        while rounds < 6 {
            var needed: [String] = []
            var seen: Set<String> = []
            for query in queries {
                for text in vocabulary.textsNeeded(for: query, known: vectors) where seen.insert(text).inserted {
                    needed.append(text)
                }
            }
            if rounds == 0 {
                // The main translations of the English words are queries too (狗 has candidates of its own).
                let chinese = vocabulary.chineseWords(translating: queries)
                chineseCount = chinese.count
                queries += chinese
                // A phrase the dictionary lacks is composed from its words' glosses, chosen by their vectors.
                for word in queries.prefix(englishCount) {
                    for text in vocabulary.compositionTexts(of: word) where seen.insert(text).inserted {
                        needed.append(text)
                    }
                }
            }
            if needed.isEmpty { break }
            rounds += 1
            progress("round \(rounds): embedding \(needed.count) texts for \(queries.count) query words")
            try embed(needed, into: &vectors, progress: progress)
        }
        try WordVectorTable.write(
            vectors,
            header: WordVectorTable.Header(
                spaceName: embedder.spaceName, dimension: embedder.dimension, count: vectors.count,
                modelFingerprint: modelFingerprint, dictionaryChecksum: dictionaryChecksum),
            to: url)
        let elapsed = ContinuousClock.now - started
        let (seconds, attoseconds) = elapsed.components
        return Summary(
            englishWords: englishCount, chineseWords: chineseCount, texts: vectors.count, rounds: rounds,
            seconds: Double(seconds) + Double(attoseconds) / 1e18)
    }

    private func embed(_ texts: [String], into vectors: inout [String: [Float]], progress: (String) -> Void) throws {
        let ordered = texts.sorted { ($0.utf8.count, $0) < ($1.utf8.count, $1) }
        var done = 0
        var lastReport = ContinuousClock.now
        for start in stride(from: 0, to: ordered.count, by: max(1, batchSize)) {
            let batch = Array(ordered[start..<min(start + max(1, batchSize), ordered.count)])
            let embedded = try embedder.embed(batch, role: .query)
            guard embedded.count == batch.count else {
                throw AlignmentEmbeddingMismatch(asked: batch.count, got: embedded.count)
            }
            for (text, vector) in zip(batch, embedded) { vectors[text] = vector }
            done += batch.count
            if ContinuousClock.now - lastReport > .seconds(10) {
                lastReport = ContinuousClock.now
                progress("  \(done)/\(ordered.count) embedded")
            }
        }
    }
}
