import Foundation
import GlimpseTokenizers
import GlimpseTransformer

/// A Hugging Face `CLIPModel` or `ChineseCLIPModel` folder (config.json + model.safetensors in fp32, fp16 or bf16),
/// loaded into fp32 towers. The tokenizer and preprocessor files of the folder are read by their own types.
public struct CLIPCheckpoint: Sendable {
    public let folder: URL
    public let configuration: CLIPModelConfiguration
    public let vision: CLIPVisionTower
    /// `OpenAICLIPTextTower` or `ChineseCLIPTextTower`, per `family`.
    public let text: any CLIPTextTower

    public var family: CLIPFamily { configuration.family }

    public init(folder: URL) throws {
        self.folder = folder
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory), isDirectory.boolValue
        else { throw CLIPModelError.folderNotFound(path: folder.path) }
        let configURL = folder.appendingPathComponent("config.json")
        let weightsURL = folder.appendingPathComponent("model.safetensors")
        for url in [configURL, weightsURL] where !FileManager.default.fileExists(atPath: url.path) {
            throw CLIPModelError.missingFile(folder: folder.path, file: url.lastPathComponent)
        }
        configuration = try CLIPModelConfiguration(contentsOf: configURL)
        let file = try SafetensorsFile(path: weightsURL.path)
        let c = configuration
        vision = try CLIPVisionTower(file: file, configuration: c.vision, projectionDimension: c.projectionDimension)
        switch c.family {
        case .clip:
            text = try OpenAICLIPTextTower(
                file: file, configuration: c.text, projectionDimension: c.projectionDimension)
        case .chineseCLIP:
            text = try ChineseCLIPTextTower(
                file: file, configuration: c.text, projectionDimension: c.projectionDimension)
        }
    }
}
