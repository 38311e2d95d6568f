import Foundation
import GlimpseCLIP
import GlimpseE5
import GlimpseEmbedding
import GlimpseServer
import GlimpseService

/// One embedding space of the config file's `spaces` list. Only real models can be named here: `e5` (the
/// multilingual text embedder, `e5-small-q4.bin`) and `clip` (a Hugging Face CLIP or Chinese-CLIP folder, which
/// embeds captions and images into one space).
public struct SpaceSetting: Sendable, Equatable, Decodable {
    public enum Kind: String, Sendable, Equatable, Decodable, CaseIterable {
        case e5, clip
    }

    public var kind: Kind
    /// e5: the model file; nil takes `model_path`.
    public var model: String?
    /// clip: the Hugging Face folder (config.json, model.safetensors, tokenizer files, preprocessor_config.json).
    public var folder: String?
    /// clip: the space's name (index file, `matched.space`, `scores`); default: the folder's name.
    public var name: String?
    public var weight: Float = 1
    public var captionWeight: Float = 1
    public var imageWeight: Float = 1

    public init(kind: Kind, model: String? = nil, folder: String? = nil, name: String? = nil) {
        self.kind = kind
        self.model = model
        self.folder = folder
        self.name = name
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case kind, model, folder, name, weight
        case captionWeight = "caption_weight"
        case imageWeight = "image_weight"
    }

    public init(from decoder: any Decoder) throws {
        // A misspelt key (captionweight) would otherwise be ignored silently.
        let position = decoder.codingPath.last?.intValue.map { "spaces[\($0)]" } ?? "a space"
        for key in try decoder.container(keyedBy: AnyCodingKey.self).allKeys.map(\.stringValue).sorted()
        where !Self.allowedKeys.contains(key) {
            throw ConfigurationError(
                "unknown setting \"\(key)\" in \(position)\(suggestion(for: key, among: CodingKeys.allCases.map(\.rawValue)))"
            )
        }
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let kindName = try container.decode(String.self, forKey: .kind)
        guard let kind = Kind(rawValue: kindName) else {
            throw ConfigurationError(
                "\(position): kind must be one of \(Kind.allCases.map(\.rawValue).joined(separator: ", ")) (real models only), got \"\(kindName)\""
            )
        }
        self.kind = kind
        model = try container.decodeIfPresent(String.self, forKey: .model)
        folder = try container.decodeIfPresent(String.self, forKey: .folder)
        name = try container.decodeIfPresent(String.self, forKey: .name)
        weight = try container.decodeIfPresent(Float.self, forKey: .weight) ?? 1
        captionWeight = try container.decodeIfPresent(Float.self, forKey: .captionWeight) ?? 1
        imageWeight = try container.decodeIfPresent(Float.self, forKey: .imageWeight) ?? 1
    }

    var weights: SpaceWeights { SpaceWeights(space: weight, caption: captionWeight, image: imageWeight) }

    /// The keys a space entry may have; anything else is a misspelling.
    static let allowedKeys = Set(CodingKeys.allCases.map(\.rawValue))

    func validate(at position: Int) throws {
        let label = "spaces[\(position)] (\(kind.rawValue))"
        guard weights.isValid else {
            throw ConfigurationError(
                "\(label): weight must be above 0 and caption_weight, image_weight at least 0 (finite numbers)")
        }
        switch kind {
        case .e5:
            guard folder == nil, name == nil else {
                throw ConfigurationError("\(label): folder and name are for clip spaces; e5 takes model")
            }
            guard imageWeight == 1 else {
                throw ConfigurationError("\(label): image_weight is for clip spaces; e5 embeds no images")
            }
        case .clip:
            guard model == nil else { throw ConfigurationError("\(label): model is for e5 spaces; clip takes folder") }
            guard let folder, !folder.isEmpty else {
                throw ConfigurationError("\(label): folder (a Hugging Face model folder) is required")
            }
            if let name {
                guard !name.isEmpty,
                    name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }),
                    name != ".", name != ".."
                else { throw ConfigurationError("\(label): name may use only letters, digits, '.', '_' and '-'") }
            }
        }
    }
}

extension DaemonConfiguration {
    /// The configured spaces, or the single e5 space of `model_path` when the config lists none.
    public var effectiveSpaces: [SpaceSetting] { spaces ?? [SpaceSetting(kind: .e5)] }

    /// Loads every space's model. Model files get a fingerprint of their bytes (e5: the model file, clip:
    /// model.safetensors) so a changed model is noticed and its vectors embedded again.
    func loadSpaceModels(fingerprints: inout [String: String]) throws -> [SpaceModel] {
        var models: [SpaceModel] = []
        for setting in effectiveSpaces {
            let model: SpaceModel
            switch setting.kind {
            case .e5:
                let path = setting.model ?? modelPath
                do {
                    let embedder = try E5TextEmbedder(
                        modelPath: path, threadCount: encoderThreads > 0 ? encoderThreads : nil)
                    model = SpaceModel(text: embedder, weights: setting.weights)
                    fingerprints[embedder.spaceName] = try ModelFingerprint.ofFile(at: path)
                } catch {
                    // The embedding errors say what is wrong with the file, not always which file.
                    throw ConfigurationError("cannot load the model file \(path): \(error)")
                }
            case .clip:
                let folder = URL(fileURLWithPath: setting.folder!, isDirectory: true)
                do {
                    let precision = CLIPVisionPrecision(rawValue: clipVisionPrecision) ?? .fp32
                    let embedder = try CLIPEmbedder.load(
                        folder: folder, spaceName: setting.name, visionPrecision: precision,
                        visionThreads: encoderThreads > 0 ? encoderThreads : nil)
                    model = SpaceModel(textAndImage: embedder, weights: setting.weights)
                    // Every weight file counts (a sharded checkpoint's index and each shard), in the loader's order;
                    // int8 image vectors differ a little from fp32 ones, so switching precision re-embeds images.
                    fingerprints[embedder.spaceName] =
                        try CLIPCheckpoint.weightFileURLs(in: folder)
                        .map { try ModelFingerprint.ofFile(at: $0.path) }.joined(separator: "+")
                        + (precision == .int8 ? "+int8" : "")
                } catch {
                    throw ConfigurationError("cannot load the CLIP model folder \(folder.path): \(error)")
                }
            }
            if models.contains(where: { $0.spaceName == model.spaceName }) {
                throw ConfigurationError(
                    "two spaces are both named \(model.spaceName); give a clip space another \"name\"")
            }
            models.append(model)
        }
        return models
    }
}
