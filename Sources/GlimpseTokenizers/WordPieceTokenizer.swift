/// BERT's WordPiece tokenizer (Chinese-CLIP's text tower), giving the ids of `transformers`' BertTokenizer(text,
/// truncation=True): special tokens typed in the text are kept whole, the rest is normalised and split into words
/// (`BertBasicTokenizer`), each word becomes its greedy longest-match-first pieces ("##" marking a continuation)
/// or a single [UNK] when some part of it matches nothing or it is longer than 100 characters; then
/// [CLS] … [SEP], the content cut to `maximumLength` − 2 so [SEP] is always there.
public struct WordPieceTokenizer: TextTokenizer {
    public private(set) var maximumLength: Int
    public let classifierID: Int
    public let separatorID: Int
    public let unknownID: Int
    /// [PAD]'s id when the vocabulary has it (0 in BERT vocabularies).
    public let paddingID: Int?
    public let vocabularySize: Int

    private let basic: BertBasicTokenizer
    private let pieces: PieceTable
    private let continuationPrefix: [UInt8] = Array("##".utf8)
    private let specialTokens: SpecialTokenSplitter

    public static let longestWord = 100

    /// - Parameters:
    ///   - vocabulary: the lines of vocab.txt; a token's id is its line number from 0 (a repeated token keeps its
    ///     last line, as `transformers`' load_vocab does).
    ///   - stripAccents: nil follows `lowercase`.
    public init(
        vocabulary: [String], lowercase: Bool = true, stripAccents: Bool? = nil, splitChineseCharacters: Bool = true,
        maximumLength: Int = 512, unknown: String = "[UNK]", classifier: String = "[CLS]", separator: String = "[SEP]",
        padding: String = "[PAD]", mask: String = "[MASK]", source: String = "vocab.txt"
    ) throws(TokenizerLoadingError) {
        var lastID: [[UInt8]: Int] = [:]
        for (id, token) in vocabulary.enumerated() { lastID[Array(token.utf8)] = id }
        guard let unknownID = lastID[Array(unknown.utf8)] else {
            throw .missingSpecialToken(token: unknown, path: source)
        }
        guard let classifierID = lastID[Array(classifier.utf8)] else {
            throw .missingSpecialToken(token: classifier, path: source)
        }
        guard let separatorID = lastID[Array(separator.utf8)] else {
            throw .missingSpecialToken(token: separator, path: source)
        }

        // An earlier copy of a repeated token gets an empty spelling, which the piece table never matches.
        var bytes: [UInt8] = []
        var offsets: [UInt32] = [0]
        for (id, token) in vocabulary.enumerated() {
            let spelling = Array(token.utf8)
            if lastID[spelling] == id { bytes += spelling }
            offsets.append(UInt32(bytes.count))
        }

        var specials: [String: Int] = [:]
        for token in [unknown, classifier, separator, padding, mask] {
            if let id = lastID[Array(token.utf8)] { specials[token] = id }
        }

        self.maximumLength = maximumLength
        self.classifierID = classifierID
        self.separatorID = separatorID
        self.unknownID = unknownID
        paddingID = lastID[Array(padding.utf8)]
        vocabularySize = vocabulary.count
        basic = BertBasicTokenizer(
            lowercase: lowercase, stripAccents: stripAccents,
            splitChineseCharacters: splitChineseCharacters)
        pieces = PieceTable(bytes: bytes, offsets: offsets)
        specialTokens = SpecialTokenSplitter(tokens: specials)
    }

    /// The same tokenizer cutting at another length (a text tower with a different context size).
    public func withMaximumLength(_ length: Int) -> Self {
        var copy = self
        copy.maximumLength = length
        return copy
    }

    public func tokenIDs(_ text: String) -> [Int] {
        let limit = max(0, maximumLength - 2)
        var ids: [Int] = [classifierID]
        ids.reserveCapacity(min(limit, text.utf8.count) + 2)
        var wordPieces: [Int] = []
        for segment in specialTokens.segments(of: text) {
            guard ids.count - 1 < limit else { break }
            switch segment {
            case .special(let id):
                ids.append(id)
            case .text(let text):
                BertBasicTokenizer.forEachWord(in: basic.normalized(text)) { word in
                    wordPieces.removeAll(keepingCapacity: true)
                    appendPieces(of: word, to: &wordPieces)
                    ids.append(contentsOf: wordPieces.prefix(limit - (ids.count - 1)))
                    return ids.count - 1 < limit
                }
            }
        }
        ids.append(separatorID)
        return ids
    }

    /// Greedy longest-match-first: the longest vocabulary entry starting the word, then the longest "##" entry
    /// continuing it, and so on; [UNK] for the whole word if a position matches nothing.
    private func appendPieces(of word: ArraySlice<Unicode.Scalar>, to ids: inout [Int]) {
        guard word.count <= Self.longestWord else {
            ids.append(unknownID)
            return
        }
        var bytes: [UInt8] = []
        var boundaries: [Int] = [0]  // byte offset of each scalar, then the end
        for scalar in word {
            UTF8.encode(scalar) { bytes.append($0) }
            boundaries.append(bytes.count)
        }
        let scalarCount = boundaries.count - 1
        var probe: [UInt8] = []
        var start = 0
        let firstPiece = ids.count
        while start < scalarCount {
            var end = scalarCount
            var found: Int?
            while start < end {
                let prefix = start > 0 ? continuationPrefix.count : 0
                if prefix + boundaries[end] - boundaries[start] <= pieces.maxPieceBytes {
                    probe.removeAll(keepingCapacity: true)
                    if start > 0 { probe += continuationPrefix }
                    probe += bytes[boundaries[start]..<boundaries[end]]
                    if let id = probe.withUnsafeBufferPointer({ pieces.id(of: $0) }) {
                        found = id
                        break
                    }
                }
                end -= 1
            }
            guard let id = found else {
                ids.removeSubrange(firstPiece...)
                ids.append(unknownID)
                return
            }
            ids.append(id)
            start = end
        }
    }
}
