import Foundation
import GlimpseAPI
import GlimpseEmbedding
import GlimpseTokenizers
import GlimpseTransformer

/// Which architecture a checkpoint is: config.json's `model_type`.
public enum CLIPFamily: String, Sendable {
    /// OpenAI CLIP (`CLIPModel`): causal text transformer pooled at the end-of-text token.
    case clip
    /// Chinese-CLIP (`ChineseCLIPModel`): BERT text encoder pooled at [CLS].
    case chineseCLIP = "chinese_clip"
}

/// The vision tower's sizes (`CLIPVisionConfig` / `ChineseCLIPVisionConfig`).
public struct CLIPVisionConfiguration: Sendable, Equatable {
    public let hiddenSize: Int
    public let intermediateSize: Int
    public let layerCount: Int
    public let headCount: Int
    public let hiddenAct: String
    public let layerNormEpsilon: Float
    public let imageSize: Int
    public let patchSize: Int
    public let channelCount: Int
    package let activation: TransformerActivation

    public var patchesPerSide: Int { imageSize / patchSize }
    /// Patches plus the class token.
    public var tokenCount: Int { patchesPerSide * patchesPerSide + 1 }
    /// Floats of one preprocessed image (CHW).
    public var pixelCount: Int { channelCount * imageSize * imageSize }
}

/// The text tower's sizes (`CLIPTextConfig` / `ChineseCLIPTextConfig`).
public struct CLIPTextConfiguration: Sendable, Equatable {
    public let hiddenSize: Int
    public let intermediateSize: Int
    public let layerCount: Int
    public let headCount: Int
    public let hiddenAct: String
    public let layerNormEpsilon: Float
    public let maxPositions: Int
    public let vocabularySize: Int
    /// CLIP pools at the first position of this id (or, for the legacy value 2, at the largest id).
    public let eosTokenID: Int?
    /// BERT's token-type table (Chinese-CLIP); every token is fed as type 0.
    public let typeVocabularySize: Int
    package let activation: TransformerActivation
}

/// config.json of a Hugging Face `CLIPModel` or `ChineseCLIPModel` folder. Absent keys take the defaults of
/// `transformers`' configuration classes (configuration_clip.py, configuration_chinese_clip.py), so a minimal
/// config means what it means to `transformers`.
public struct CLIPModelConfiguration: Sendable, Equatable {
    public let family: CLIPFamily
    public let projectionDimension: Int
    public let text: CLIPTextConfiguration
    public let vision: CLIPVisionConfiguration

    public init(contentsOf url: URL) throws {
        let path = url.path
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw CLIPModelError.invalidConfiguration(path: path, reason: "cannot read: \(error.localizedDescription)")
        }
        try self.init(json: data, path: path)
    }

    public init(json data: Data, path: String = "config.json") throws {
        let parsed: JSONValue
        do {
            parsed = try JSONValue(parsing: data)
        } catch {
            throw CLIPModelError.invalidConfiguration(path: path, reason: "not JSON: \(error)")
        }
        guard let root = parsed.object else {
            throw CLIPModelError.invalidConfiguration(path: path, reason: "not a JSON object")
        }
        let top = ConfigReader(values: root, section: "", path: path)
        let modelType = try top.string("model_type", default: nil)
        guard let family = CLIPFamily(rawValue: modelType) else {
            throw CLIPModelError.unsupportedModelType(path: path, modelType: modelType)
        }
        self.family = family
        projectionDimension = try top.positive("projection_dim", default: 512)
        text = try Self.textConfiguration(top.merged("text_config", overriddenBy: "text_config_dict"), family: family)
        vision = try Self.visionConfiguration(top.merged("vision_config", overriddenBy: "vision_config_dict"))
    }

    private static func visionConfiguration(_ reader: ConfigReader) throws -> CLIPVisionConfiguration {
        let hidden = try reader.positive("hidden_size", default: 768)
        let heads = try reader.positive("num_attention_heads", default: 12)
        try reader.require(
            hidden % heads == 0, "hidden_size \(hidden) is not a multiple of num_attention_heads \(heads)")
        let imageSize = try reader.positive("image_size", default: 224)
        let patchSize = try reader.positive("patch_size", default: 32)
        try reader.require(
            imageSize % patchSize == 0, "image_size \(imageSize) is not a multiple of patch_size \(patchSize)")
        let (act, activation) = try reader.activation(default: "quick_gelu")
        return CLIPVisionConfiguration(
            hiddenSize: hidden, intermediateSize: try reader.positive("intermediate_size", default: 3072),
            layerCount: try reader.positive("num_hidden_layers", default: 12), headCount: heads, hiddenAct: act,
            layerNormEpsilon: try reader.epsilon(default: 1e-5), imageSize: imageSize, patchSize: patchSize,
            channelCount: try reader.positive("num_channels", default: 3), activation: activation)
    }

    private static func textConfiguration(_ reader: ConfigReader, family: CLIPFamily) throws -> CLIPTextConfiguration {
        let clip = family == .clip
        let hidden = try reader.positive("hidden_size", default: clip ? 512 : 768)
        let heads = try reader.positive("num_attention_heads", default: clip ? 8 : 12)
        try reader.require(
            hidden % heads == 0, "hidden_size \(hidden) is not a multiple of num_attention_heads \(heads)")
        let (act, activation) = try reader.activation(default: clip ? "quick_gelu" : "gelu")
        let eos = try reader.optionalInteger("eos_token_id", default: clip ? 49407 : nil)
        if clip && eos == nil {
            throw CLIPModelError.invalidConfiguration(
                path: reader.path, reason: "text_config.eos_token_id must be an integer: CLIP pools at that token")
        }
        let typeVocabularySize = clip ? 0 : try reader.positive("type_vocab_size", default: 2)
        return CLIPTextConfiguration(
            hiddenSize: hidden, intermediateSize: try reader.positive("intermediate_size", default: clip ? 2048 : 3072),
            layerCount: try reader.positive("num_hidden_layers", default: 12), headCount: heads,
            hiddenAct: act, layerNormEpsilon: try reader.epsilon(default: clip ? 1e-5 : 1e-12),
            maxPositions: try reader.positive("max_position_embeddings", default: clip ? 77 : 512),
            vocabularySize: try reader.positive("vocab_size", default: clip ? 49408 : 30522), eosTokenID: eos,
            typeVocabularySize: typeVocabularySize, activation: activation)
    }
}

/// Typed access to one section of config.json, naming the key in every error.
struct ConfigReader {
    let values: [String: JSONValue]
    let section: String
    let path: String

    private func name(_ key: String) -> String { section.isEmpty ? key : "\(section).\(key)" }

    func require(_ condition: Bool, _ problem: String) throws {
        if !condition { throw CLIPModelError.invalidConfiguration(path: path, reason: "\(section): \(problem)") }
    }

    private func invalid(_ key: String, _ problem: String) -> CLIPModelError {
        .invalidConfiguration(path: path, reason: "\(name(key)) \(problem)")
    }

    /// The section `key` with the keys of the legacy `overrideKey` section (older CLIP configs) taking precedence,
    /// as `CLIPConfig.__post_init__` merges them. An absent section means all defaults.
    func merged(_ key: String, overriddenBy overrideKey: String) throws -> ConfigReader {
        var merged: [String: JSONValue] = [:]
        for k in [key, overrideKey] {
            switch values[k] {
            case nil, .null?: continue
            case .object(let section)?: merged.merge(section) { _, new in new }
            default: throw invalid(k, "is not an object")
            }
        }
        return ConfigReader(values: merged, section: key, path: path)
    }

    func string(_ key: String, default fallback: String?) throws -> String {
        switch values[key] {
        case .string(let value)?: return value
        case nil, .null?:
            if let fallback { return fallback }
            throw invalid(key, "is missing")
        default: throw invalid(key, "is not a string")
        }
    }

    func optionalInteger(_ key: String, default fallback: Int?) throws -> Int? {
        switch values[key] {
        case nil: return fallback
        case .null?: return nil
        case .number(let value)? where value == value.rounded() && abs(value) < 0x1p53: return Int(value)
        default: throw invalid(key, "is not an integer")
        }
    }

    func positive(_ key: String, default fallback: Int) throws -> Int {
        guard let value = try optionalInteger(key, default: fallback) else { throw invalid(key, "is null") }
        guard value > 0 else { throw invalid(key, "is \(value), expected a positive integer") }
        return value
    }

    func epsilon(default fallback: Double) throws -> Float {
        switch values["layer_norm_eps"] {
        case nil, .null?: return Float(fallback)
        case .number(let value)? where value > 0 && value.isFinite: return Float(value)
        default: throw invalid("layer_norm_eps", "is not a positive number")
        }
    }

    func activation(default fallback: String) throws -> (String, TransformerActivation) {
        let name = try string("hidden_act", default: fallback)
        guard let activation = TransformerActivation(rawValue: name) else {
            throw CLIPModelError.unsupportedActivation(path: path, key: self.name("hidden_act"), activation: name)
        }
        return (name, activation)
    }
}
