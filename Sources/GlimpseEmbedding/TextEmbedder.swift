/// Which side of a retrieval pair a text is on. Some models embed the two sides differently (E5 is trained with a
/// "query: " or "passage: " prefix and expects the same at inference time).
public enum EmbeddingRole: Sendable {
    case query
    case passage
}

/// Maps texts to L2-normalised vectors in one named embedding space. Implementations are shared across
/// concurrent tasks, so `embed` must be safe to call from several threads at once.
public protocol TextEmbedder: Sendable {
    /// Identifies the vector space; vectors from different spaces are not comparable.
    var spaceName: String { get }
    var dimension: Int { get }
    /// One vector of `dimension` floats per input text, in input order.
    func embed(_ texts: [String], role: EmbeddingRole) throws -> [[Float]]
}
