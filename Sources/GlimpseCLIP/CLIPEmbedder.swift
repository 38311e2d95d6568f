import Foundation
import GlimpseEmbedding
import GlimpseImage
import GlimpseTokenizers
import GlimpseTransformer

/// A CLIP-family checkpoint as one embedding space for both texts and images: tokenizer → text tower, preprocessor
/// → vision tower, each result L2-normalised (as `CLIPModel.forward` normalises before comparing). The tokenizer and
/// preprocessor are passed in, so this type holds only the model math.
///
/// `spaceName` defaults to the checkpoint folder's name (e.g. `clip-vit-base-patch32`), with characters other than
/// letters, digits, `.`, `_` and `-` replaced by `-` because it names index snapshot files. Renaming the folder
/// therefore starts a new space; pass `spaceName` to pin it.
public final class CLIPEmbedder: TextEmbedder, ImageEmbedder {
    public let spaceName: String
    public let checkpoint: CLIPCheckpoint
    private let tokenizer: any TextTokenizer
    private let preprocess: @Sendable (RGBImage) throws -> [Float]

    public var dimension: Int { checkpoint.configuration.projectionDimension }
    /// See `CLIPCheckpoint.logitScale`.
    public var logitScale: Float { checkpoint.logitScale }
    /// OpenAI CLIP's text tower reads English, Chinese-CLIP's Chinese: label prompts are written in that language.
    public var family: CLIPFamily { checkpoint.family }

    public init(
        checkpoint: CLIPCheckpoint, tokenizer: any TextTokenizer,
        preprocess: @escaping @Sendable (RGBImage) throws -> [Float], spaceName: String? = nil
    ) {
        self.checkpoint = checkpoint
        self.tokenizer = tokenizer
        self.preprocess = preprocess
        self.spaceName = spaceName ?? Self.defaultSpaceName(folder: checkpoint.folder)
    }

    /// Loads the checkpoint in `folder` (config.json + model.safetensors).
    public convenience init(
        folder: URL, tokenizer: any TextTokenizer, preprocess: @escaping @Sendable (RGBImage) throws -> [Float],
        spaceName: String? = nil
    ) throws {
        self.init(
            checkpoint: try CLIPCheckpoint(folder: folder), tokenizer: tokenizer, preprocess: preprocess,
            spaceName: spaceName)
    }

    public static func defaultSpaceName(folder: URL) -> String {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
        let name = String(folder.standardizedFileURL.lastPathComponent.map { allowed.contains($0) ? $0 : "-" })
        return name.isEmpty || name == "." || name == ".." ? "clip" : name
    }

    /// CLIP has no query/passage prefixes: both roles embed the same way.
    public func embed(_ texts: [String], role: EmbeddingRole) throws -> [[Float]] {
        try checkpoint.text.textFeatures(tokenIDs: texts.map(tokenizer.tokenIDs)).map(VectorMath.normalised)
    }

    public func embed(images: [RGBImage]) throws -> [[Float]] {
        var vectors: [[Float]] = []
        vectors.reserveCapacity(images.count)
        let batch = CLIPVisionTower.imagesPerForwardPass
        var first = 0
        while first < images.count {
            // Preprocess one forward pass's worth at a time: 150k floats per 224² image add up.
            let chunk = images[first..<min(first + batch, images.count)]
            var pixels: [Float] = []
            pixels.reserveCapacity(chunk.count * checkpoint.vision.configuration.pixelCount)
            for image in chunk { pixels += try preprocess(image) }
            vectors += try checkpoint.vision.imageFeatures(pixelValues: pixels, count: chunk.count).map(
                VectorMath.normalised)
            first += chunk.count
        }
        return vectors
    }
}
