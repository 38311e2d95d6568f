import Foundation
import GlimpseEmbedding

/// One embedding space as the daemon configures it: the text embedder that names the space, optionally an image
/// embedder into the same space (CLIP), and the weights its scores get when results of several spaces are fused.
public struct SpaceModel: Sendable {
    public var text: any TextEmbedder
    /// Embeds item images at ingest and example images at search; nil for a text-only space (E5).
    public var image: (any ImageEmbedder)?
    public var weights: SpaceWeights

    public init(text: any TextEmbedder, image: (any ImageEmbedder)? = nil, weights: SpaceWeights = SpaceWeights()) {
        if let image {
            precondition(
                image.spaceName == text.spaceName && image.dimension == text.dimension,
                "an image embedder must embed into its text embedder's space")
        }
        self.text = text
        self.image = image
        self.weights = weights
    }

    /// A CLIP-style embedder that embeds both texts and images into one space.
    public init(textAndImage embedder: any TextEmbedder & ImageEmbedder, weights: SpaceWeights = SpaceWeights()) {
        self.init(text: embedder, image: embedder, weights: weights)
    }

    public var spaceName: String { text.spaceName }
}

/// How much a space's matches count in a fused result (see `SpaceFusion`). All default to 1.
public struct SpaceWeights: Sendable, Equatable {
    /// The space's share of the fused score.
    public var space: Float
    /// Multiplies the cosine of a caption vector of this space.
    public var caption: Float
    /// Multiplies the cosine of an image vector of this space.
    public var image: Float

    public init(space: Float = 1, caption: Float = 1, image: Float = 1) {
        self.space = space
        self.caption = caption
        self.image = image
    }

    /// Weights must be finite and not negative, and the space weight above 0 (it divides the fused score).
    public var isValid: Bool {
        space.isFinite && caption.isFinite && image.isFinite && space > 0 && caption >= 0 && image >= 0
    }
}
