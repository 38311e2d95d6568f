import Foundation

/// OpenAI CLIP's text tokenizer, giving the ids of `transformers`' CLIPTokenizer(text, truncation=True): special
/// tokens typed in the text are kept whole, the rest is normalised and split into words (`CLIPPreTokenizer`), each
/// word's UTF-8 bytes are spelt in the byte-level alphabet with "</w>" on its last symbol and merged by BPE rank;
/// then <|startoftext|> … <|endoftext|>, the content cut to `maximumLength` − 2 so the end token is always there.
public struct ByteLevelBPETokenizer: TextTokenizer {
    public private(set) var maximumLength: Int
    public let startOfTextID: Int
    /// Also the id CLIP pools the text tower's output at, and (in `transformers`) the padding id.
    public let endOfTextID: Int
    public let vocabularySize: Int

    /// The id of each byte's symbol inside a word and at its end (with "</w>"); the unknown id where missing.
    private let byteIDs: [Int32]
    private let finalByteIDs: [Int32]
    private let merges: BytePairMerges
    private let specialTokens: SpecialTokenSplitter
    private let wordCache: BPEWordCache

    public static let endOfWordSuffix = "</w>"

    /// - Parameters:
    ///   - vocabulary: token (in the byte-level alphabet) → id, as in vocab.json.
    ///   - merges: the merge pairs in rank order, as in merges.txt.
    ///   - specialTokens: token strings matched whole in the raw text (defaults: the start and end tokens).
    public init(
        vocabulary: [String: Int], merges: [(String, String)], maximumLength: Int = 77,
        startOfText: String = "<|startoftext|>", endOfText: String = "<|endoftext|>",
        unknown: String = "<|endoftext|>", specialTokens: [String]? = nil, source: String = "vocab.json"
    ) throws(TokenizerLoadingError) {
        var byBytes: [[UInt8]: Int] = [:]
        byBytes.reserveCapacity(vocabulary.count)
        for (token, id) in vocabulary {
            guard id >= 0, id < Int(Int32.max) else {
                throw .malformedVocabulary(path: source, problem: "token \(token.debugDescription) has id \(id)")
            }
            byBytes[Array(token.utf8)] = id
        }
        guard let start = byBytes[Array(startOfText.utf8)] else {
            throw .missingSpecialToken(token: startOfText, path: source)
        }
        guard let end = byBytes[Array(endOfText.utf8)] else {
            throw .missingSpecialToken(token: endOfText, path: source)
        }
        let unknownID = byBytes[Array(unknown.utf8)].map(Int32.init) ?? -1

        var byteIDs = [Int32](repeating: unknownID, count: 256)
        var finalByteIDs = [Int32](repeating: unknownID, count: 256)
        for byte in 0..<256 {
            let symbol = Array(String(ByteLevelAlphabet.characters[byte]).utf8)
            if let id = byBytes[symbol] { byteIDs[byte] = Int32(id) }
            if let id = byBytes[symbol + Array(Self.endOfWordSuffix.utf8)] { finalByteIDs[byte] = Int32(id) }
        }

        var pairs: [(left: Int32, right: Int32, merged: Int32)] = []
        pairs.reserveCapacity(merges.count)
        for (left, right) in merges {
            let leftBytes = Array(left.utf8)
            let rightBytes = Array(right.utf8)
            guard let leftID = byBytes[leftBytes], let rightID = byBytes[rightBytes],
                let mergedID = byBytes[leftBytes + rightBytes]
            else {
                let missing = byBytes[leftBytes] == nil ? left : byBytes[rightBytes] == nil ? right : left + right
                throw .malformedMerges(
                    path: source, line: pairs.count + 1,
                    problem: "\(missing.debugDescription) is not in the vocabulary")
            }
            pairs.append((Int32(leftID), Int32(rightID), Int32(mergedID)))
        }

        var specials: [String: Int] = [:]
        for token in specialTokens ?? [startOfText, endOfText] {
            if let id = byBytes[Array(token.utf8)] { specials[token] = id }
        }

        self.maximumLength = maximumLength
        startOfTextID = start
        endOfTextID = end
        vocabularySize = (vocabulary.values.max() ?? -1) + 1
        self.byteIDs = byteIDs
        self.finalByteIDs = finalByteIDs
        self.merges = BytePairMerges(pairs: pairs)
        self.specialTokens = SpecialTokenSplitter(tokens: specials)
        wordCache = BPEWordCache()
    }

    /// The same tokenizer cutting at another length (a text tower with a different context size).
    public func withMaximumLength(_ length: Int) -> Self {
        var copy = self
        copy.maximumLength = length
        return copy
    }

    public func tokenIDs(_ text: String) -> [Int] {
        let limit = max(0, maximumLength - 2)
        var ids: [Int] = [startOfTextID]
        ids.reserveCapacity(min(limit, text.utf8.count) + 2)
        var content = 0
        var bytes: [UInt8] = []
        for segment in specialTokens.segments(of: text) {
            guard content < limit else { break }
            switch segment {
            case .special(let id):
                ids.append(id)
                content += 1
            case .text(let text):
                CLIPPreTokenizer.forEachWord(in: CLIPPreTokenizer.normalized(text)) { word in
                    bytes.removeAll(keepingCapacity: true)
                    for scalar in word { UTF8.encode(scalar) { bytes.append($0) } }
                    for id in wordIDs(bytes) {
                        guard content < limit else { return false }
                        ids.append(Int(id))
                        content += 1
                    }
                    return content < limit
                }
            }
        }
        ids.append(endOfTextID)
        return ids
    }

    /// The BPE tokens of one word given as UTF-8 bytes.
    package func wordIDs(_ bytes: [UInt8]) -> [Int32] {
        if let cached = wordCache.lookup(bytes) { return cached }
        var symbols: [Int32] = []
        symbols.reserveCapacity(bytes.count)
        for (index, byte) in bytes.enumerated() {
            let id = index == bytes.count - 1 ? finalByteIDs[Int(byte)] : byteIDs[Int(byte)]
            if id >= 0 { symbols.append(id) }
        }
        let merged = merges.merge(symbols)
        wordCache.store(merged, for: bytes)
        return merged
    }
}
