import GlimpseEmbedding
import GlimpseTransformer
import GlimpseTokenizers

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
        case let .folderNotFound(path): "CLIP model folder \(path) does not exist"
        case let .missingFile(folder, file): "CLIP model folder \(folder) has no \(file)"
        case let .invalidConfiguration(path, reason): "\(path): \(reason)"
        case let .unsupportedModelType(path, modelType):
            "\(path): model_type \"\(modelType)\" is not supported (expected \"clip\" or \"chinese_clip\")"
        case let .unsupportedActivation(path, key, activation):
            "\(path): \(key) \"\(activation)\" is not supported (expected one of "
                + "\(TransformerActivation.allCases.map(\.rawValue).joined(separator: ", ")))"
        case let .invalidPixelValues(expected, found, count):
            "pixel values for \(count) image(s) must hold \(expected) floats, got \(found)"
        case let .invalidTokenID(id, vocabularySize): "token id \(id) is outside the vocabulary (size \(vocabularySize))"
        case let .sequenceTooLong(length, maximum):
            "a sequence of \(length) tokens is longer than the model's \(maximum) positions"
        case .emptySequence: "a token sequence is empty (the tokenizer must add its special tokens)"
        }
    }
}
