import GlimpseImage

/// Maps decoded pictures to L2-normalised vectors in one named embedding space. A model that also embeds text into
/// the same space (CLIP) conforms to `TextEmbedder` as well, with the same `spaceName`. Shared across concurrent
/// tasks, so `embed` must be safe to call from several threads at once.
public protocol ImageEmbedder: Sendable {
    var spaceName: String { get }
    var dimension: Int { get }
    /// One vector of `dimension` floats per image, in input order. Model-specific preprocessing (resize, crop,
    /// normalise) happens inside.
    func embed(images: [RGBImage]) throws -> [[Float]]
}
