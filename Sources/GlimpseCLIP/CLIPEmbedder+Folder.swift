import Foundation
import GlimpseEmbedding
import GlimpseImage
import GlimpseTokenizers
import GlimpseTransformer

extension CLIPEmbedder {
    /// Everything a Hugging Face CLIP or Chinese-CLIP folder needs besides `config.json` and `model.safetensors`:
    /// the image processor's settings. The tokenizer files are checked by `HuggingFaceTokenizer.load`.
    static let preprocessorFile = "preprocessor_config.json"

    /// Loads a Hugging Face folder end to end: the checkpoint, its own tokenizer (`HuggingFaceTokenizer.load`) and
    /// its own image preprocessing (`CLIPImagePreprocessor` from `preprocessor_config.json`). Each missing or
    /// malformed file is an error naming the folder and the file.
    /// `visionPrecision` and `visionThreads` are passed to the vision tower (`CLIPCheckpoint.init`).
    public static func load(
        folder: URL, spaceName: String? = nil, visionPrecision: CLIPVisionPrecision = .fp32,
        visionThreads: Int? = nil
    ) throws -> CLIPEmbedder {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory), isDirectory.boolValue
        else { throw CLIPModelError.folderNotFound(path: folder.path) }
        let preprocessorURL = folder.appendingPathComponent(preprocessorFile)
        guard FileManager.default.fileExists(atPath: preprocessorURL.path) else {
            throw CLIPModelError.missingFile(folder: folder.path, file: preprocessorFile)
        }
        let preprocessor: CLIPImagePreprocessor
        do {
            preprocessor = try CLIPImagePreprocessor(configFile: preprocessorURL)
        } catch {
            throw CLIPModelError.invalidConfiguration(path: preprocessorURL.path, reason: "\(error)")
        }
        let checkpoint = try CLIPCheckpoint(
            folder: folder, visionPrecision: visionPrecision, visionThreads: visionThreads)
        var tokenizer = try HuggingFaceTokenizer.load(folder: folder)
        // A tokenizer allowing more tokens than the text tower has positions would make long queries fail:
        // cut where the tower ends, as transformers users pass max_length for such checkpoints.
        let positions = checkpoint.configuration.text.maxPositions
        if tokenizer.maximumLength > positions {
            switch tokenizer {
            case let bpe as ByteLevelBPETokenizer: tokenizer = bpe.withMaximumLength(positions)
            case let wordPiece as WordPieceTokenizer: tokenizer = wordPiece.withMaximumLength(positions)
            default: break
            }
        }
        // The vision tower is built for one input size: a processor cropping to another size would fail per image.
        let shape = preprocessor.outputShape
        let expected = checkpoint.configuration.vision.imageSize
        guard shape.height == expected, shape.width == expected else {
            throw CLIPModelError.invalidConfiguration(
                path: preprocessorURL.path,
                reason: "crops to \(shape.width)×\(shape.height) but the vision tower takes \(expected)×\(expected)")
        }
        return CLIPEmbedder(
            checkpoint: checkpoint, tokenizer: tokenizer, preprocess: { preprocessor.pixelValues($0) },
            spaceName: spaceName)
    }
}
