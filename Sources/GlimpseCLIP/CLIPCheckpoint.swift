import Foundation
import GlimpseTokenizers
import GlimpseTransformer

/// A Hugging Face `CLIPModel` or `ChineseCLIPModel` folder (config.json + weights in fp32, fp16 or bf16), loaded
/// into fp32 towers. The weights are read in the first form the folder has, as published checkpoints ship them:
/// `model.safetensors`, a sharded `model.safetensors.index.json`, or PyTorch's `pytorch_model.bin`. The tokenizer and preprocessor files of the folder are read by their own types.
public struct CLIPCheckpoint: Sendable {
    public let folder: URL
    public let configuration: CLIPModelConfiguration
    public let vision: CLIPVisionTower
    /// `OpenAICLIPTextTower` or `ChineseCLIPTextTower`, per `family`.
    public let text: any CLIPTextTower
    /// The learnt `logit_scale`: zero-shot logits are `exp(logitScale) × cosine`, as `CLIPModel.forward` computes
    /// them. A checkpoint without the tensor gets CLIP's initial value, ln(1/0.07).
    public let logitScale: Float

    public var family: CLIPFamily { configuration.family }

    /// `visionPrecision` picks fp32 or int8 for the vision tower's encoder linear layers; `visionThreads` is the
    /// tower's thread count (nil: GLIMPSE_ENCODER_THREADS, else the active cores; see `CLIPVisionTower`).
    public init(folder: URL, visionPrecision: LinearPrecision = .fp32, visionThreads: Int? = nil) throws {
        self.folder = folder
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory), isDirectory.boolValue
        else { throw CLIPModelError.folderNotFound(path: folder.path) }
        let configURL = folder.appendingPathComponent("config.json")
        guard FileManager.default.fileExists(atPath: configURL.path) else {
            throw CLIPModelError.missingFile(folder: folder.path, file: "config.json")
        }
        configuration = try CLIPModelConfiguration(contentsOf: configURL)
        let file = try Self.weights(in: folder)
        let c = configuration
        logitScale =
            file.contains("logit_scale") ? try file.floats("logit_scale", shape: [])[0] : Float(log(1 / 0.07))
        vision = try CLIPVisionTower(
            file: file, configuration: c.vision, projectionDimension: c.projectionDimension, precision: visionPrecision,
            threadCount: visionThreads)
        switch c.family {
        case .clip:
            text = try OpenAICLIPTextTower(
                file: file, configuration: c.text, projectionDimension: c.projectionDimension)
        case .chineseCLIP:
            text = try ChineseCLIPTextTower(
                file: file, configuration: c.text, projectionDimension: c.projectionDimension)
        }
    }

    /// The weight file names in the order they are looked for.
    public static let weightFiles = ["model.safetensors", "model.safetensors.index.json", "pytorch_model.bin"]

    /// The files holding the folder's weights in the form `CLIPCheckpoint` reads (the index and its shards for a
    /// sharded checkpoint), so a caller fingerprinting the model sees every byte that makes it.
    public static func weightFileURLs(in folder: URL) throws -> [URL] {
        guard
            let name = weightFiles.first(where: {
                FileManager.default.fileExists(atPath: folder.appendingPathComponent($0).path)
            })
        else {
            throw CLIPModelError.missingFile(
                folder: folder.path,
                file: "weights (model.safetensors, model.safetensors.index.json or pytorch_model.bin)")
        }
        let url = folder.appendingPathComponent(name)
        guard name == "model.safetensors.index.json" else { return [url] }
        return [url]
            + (try ShardedSafetensors(indexPath: url.path).shardNames).map { folder.appendingPathComponent($0) }
    }

    /// The folder's weights in the first form present (see `weightFiles`).
    static func weights(in folder: URL) throws -> any TensorSource {
        let present = weightFiles.first {
            FileManager.default.fileExists(atPath: folder.appendingPathComponent($0).path)
        }
        guard let name = present else {
            throw CLIPModelError.missingFile(
                folder: folder.path,
                file: "weights (model.safetensors, model.safetensors.index.json or pytorch_model.bin)")
        }
        let path = folder.appendingPathComponent(name).path
        switch name {
        case "model.safetensors": return try SafetensorsFile(path: path)
        case "model.safetensors.index.json": return try ShardedSafetensors(indexPath: path)
        default: return try PyTorchCheckpoint(path: path)
        }
    }
}
