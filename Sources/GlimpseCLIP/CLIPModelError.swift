import GlimpseEmbedding
import GlimpseTokenizers
import GlimpseTransformer

/// Why a CLIP checkpoint cannot be loaded or an input cannot be embedded.
public enum CLIPModelError: Error, Equatable, CustomStringConvertible {
    case folderNotFound(path: String)
    case missingFile(folder: String, file: String)
    case invalidConfiguration(path: String, reason: String)
    case unsupportedModelType(path: String, modelType: String)
    case unsupportedActivation(path: String, key: String, activation: String)
    case invalidPixelValues(expected: Int, found: Int, count: Int)
    case invalidTokenID(id: Int, vocabularySize: Int)
    case sequenceTooLong(length: Int, maximum: Int)
    case emptySequence

    public var description: String {
        switch self {
        case .folderNotFound(let path): "CLIP model folder \(path) does not exist"
        case .missingFile(let folder, let file): "CLIP model folder \(folder) has no \(file)"
        case .invalidConfiguration(let path, let reason): "\(path): \(reason)"
        case .unsupportedModelType(let path, let modelType):
            "\(path): model_type \"\(modelType)\" is not supported (expected \"clip\" or \"chinese_clip\")"
        case .unsupportedActivation(let path, let key, let activation):
            "\(path): \(key) \"\(activation)\" is not supported (expected one of "
                + "\(TransformerActivation.allCases.map(\.rawValue).joined(separator: ", ")))"
        case .invalidPixelValues(let expected, let found, let count):
            "pixel values for \(count) image(s) must hold \(expected) floats, got \(found)"
        case .invalidTokenID(let id, let vocabularySize):
            "token id \(id) is outside the vocabulary (size \(vocabularySize))"
        case .sequenceTooLong(let length, let maximum):
            "a sequence of \(length) tokens is longer than the model's \(maximum) positions"
        case .emptySequence: "a token sequence is empty (the tokenizer must add its special tokens)"
        }
    }
}
