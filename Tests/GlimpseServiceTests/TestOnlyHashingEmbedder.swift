import Foundation
import GlimpseEmbedding

/// TEST ONLY, never reachable from the daemon: a deterministic bag-of-words embedder so service tests can check
/// ingestion, replay and search plumbing without loading the real model. Each lower-cased word maps to a fixed
/// pseudo-random direction; a text is the normalised sum of its words' directions, so texts that share words are close.
struct TestOnlyHashingEmbedder: TextEmbedder {
    var spaceName = "test-only-hashing"
    var dimension = 64
    /// Another seed gives every word another direction: a stand-in for another model of the same space.
    var seed: UInt64 = 0

    func embed(_ texts: [String], role: EmbeddingRole) throws -> [[Float]] {
        texts.map { text in
            var sum = [Float](repeating: 0, count: dimension)
            for word in text.lowercased().split(whereSeparator: { !$0.isLetter && !$0.isNumber }) {
                var generator = SplitMix64(seed: Self.fnv1a(String(word)) ^ seed)
                for i in 0..<dimension { sum[i] += generator.nextGaussianLike() }
            }
            let norm = sum.reduce(0) { $0 + $1 * $1 }.squareRoot()
            if norm == 0 { sum[0] = 1; return sum }
            return sum.map { $0 / norm }
        }
    }

    private static func fnv1a(_ text: String) -> UInt64 {
        text.utf8.reduce(0xcbf2_9ce4_8422_2325) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
    }
}

struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }

    /// Sum of uniforms: cheap, symmetric and good enough for random directions.
    mutating func nextGaussianLike() -> Float {
        var total: Float = 0
        for _ in 0..<4 { total += Float(next() >> 40) / Float(1 << 24) - 0.5 }
        return total
    }
}
