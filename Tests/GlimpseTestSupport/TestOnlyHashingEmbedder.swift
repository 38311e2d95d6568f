import Foundation
import GlimpseEmbedding
import GlimpseEvaluation

/// TEST ONLY, never reachable from the daemon: a deterministic bag-of-words embedder so service tests can check
/// ingestion, replay and search plumbing without loading the real model. Each lower-cased word maps to a fixed
/// pseudo-random direction; a text is the normalised sum of its words' directions, so texts that share words are close.
public struct TestOnlyHashingEmbedder: TextEmbedder {
    public var spaceName = "test-only-hashing"
    public var dimension = 64
    /// Another seed gives every word another direction: a stand-in for another model of the same space.
    public var seed: UInt64 = 0

    public init(spaceName: String = "test-only-hashing", dimension: Int = 64, seed: UInt64 = 0) {
        (self.spaceName, self.dimension, self.seed) = (spaceName, dimension, seed)
    }

    public func embed(_ texts: [String], role: EmbeddingRole) throws -> [[Float]] {
        texts.map { text in
            var sum = [Float](repeating: 0, count: dimension)
            for word in text.lowercased().split(whereSeparator: { !$0.isLetter && !$0.isNumber }) {
                var generator = SplitMix64(seed: Self.fnv1a(String(word)) ^ seed)
                for i in 0..<dimension { sum[i] += generator.nextGaussianLike() }
            }
            if sum.allSatisfy({ $0 == 0 }) {
                sum[0] = 1
                return sum
            }
            return VectorMath.normalised(sum)
        }
    }

    private static func fnv1a(_ text: String) -> UInt64 {
        text.utf8.reduce(0xcbf2_9ce4_8422_2325) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
    }
}

extension SplitMix64 {
    /// Sum of uniforms: cheap, symmetric and good enough for random directions.
    public mutating func nextGaussianLike() -> Float {
        var total: Float = 0
        for _ in 0..<4 { total += Float(next() >> 40) / Float(1 << 24) - 0.5 }
        return total
    }
}
