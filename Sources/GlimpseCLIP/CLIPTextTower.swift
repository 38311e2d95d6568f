/// A text tower with its projection: token ids (special tokens included, as the family's tokenizer produces them)
/// → projected, not normalised, text features, as `get_text_features`.
public protocol CLIPTextTower: Sendable {
    var configuration: CLIPTextConfiguration { get }
    var projectionDimension: Int { get }
    func textFeatures(tokenIDs: [[Int]]) throws -> [[Float]]
}

extension CLIPTextTower {
    /// Tokens per forward pass when packing texts of different lengths into one batch: bounds activation memory.
    static var tokensPerForwardPass: Int { 4096 }

    /// Checks every sequence is non-empty, fits the positions and uses only known ids.
    func validate(_ tokenIDs: [[Int]]) throws {
        let c = configuration
        for ids in tokenIDs {
            guard !ids.isEmpty else { throw CLIPModelError.emptySequence }
            guard ids.count <= c.maxPositions else {
                throw CLIPModelError.sequenceTooLong(length: ids.count, maximum: c.maxPositions)
            }
            if let bad = ids.first(where: { $0 < 0 || $0 >= c.vocabularySize }) {
                throw CLIPModelError.invalidTokenID(id: bad, vocabularySize: c.vocabularySize)
            }
        }
    }

    /// Runs `forward` over consecutive groups of sequences of at most `tokensPerForwardPass` tokens (always at
    /// least one sequence), concatenating the results in order.
    func inPackedBatches(_ tokenIDs: [[Int]], _ forward: ([[Int]]) -> [[Float]]) -> [[Float]] {
        var features: [[Float]] = []
        var next = 0
        while next < tokenIDs.count {
            var end = next
            var tokens = 0
            while end < tokenIDs.count, end == next || tokens + tokenIDs[end].count <= Self.tokensPerForwardPass {
                tokens += tokenIDs[end].count
                end += 1
            }
            features += forward(Array(tokenIDs[next..<end]))
            next = end
        }
        return features
    }
}

/// Start and length of each sequence in the packed [T, H] activation matrix.
func packedSpans(_ sequences: [[Int]]) -> [(start: Int, length: Int)] {
    var spans: [(start: Int, length: Int)] = []
    var offset = 0
    for sequence in sequences {
        spans.append((offset, sequence.count))
        offset += sequence.count
    }
    return spans
}
