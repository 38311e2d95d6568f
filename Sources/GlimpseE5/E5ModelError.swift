import GlimpseTokenizers
import GlimpseTransformer

/// Why an E5S1 model file could not be loaded. Every offset and size read from the file is checked, so a corrupt
/// or truncated file ends up here instead of crashing the process.
public enum E5ModelError: Error, Equatable, CustomStringConvertible {
    case fileNotFound(path: String)
    case unreadable(path: String, reason: String)
    case badMagic
    case unsupportedVersion(UInt32)
    /// The file ends inside the named section.
    case truncated(section: String)
    case invalidHeader(String)
    case invalidTokenizer(String)
    case tensorMissing(name: String)
    /// The tensor's byte range lies (partly) outside the file.
    case tensorOutOfBounds(name: String)
    case tensorShapeMismatch(name: String, expected: String, found: String)

    public var description: String {
        switch self {
        case .fileNotFound(let path):
            "E5 model file not found at \(path) (run scripts/fetch-model.sh to install it)"
        case .unreadable(let path, let reason):
            "E5 model file \(path) could not be read: \(reason)"
        case .badMagic:
            "not an E5S1 model file (bad magic bytes)"
        case .unsupportedVersion(let version):
            "unsupported E5S1 format version \(version) (only version 1 is known)"
        case .truncated(let section):
            "E5 model file is truncated: it ends inside the \(section)"
        case .invalidHeader(let problem):
            "E5 model header is invalid: \(problem)"
        case .invalidTokenizer(let problem):
            "E5 model tokenizer section is invalid: \(problem)"
        case .tensorMissing(let name):
            "E5 model file has no tensor named '\(name)'"
        case .tensorOutOfBounds(let name):
            "E5 model tensor '\(name)' points outside the file"
        case .tensorShapeMismatch(let name, let expected, let found):
            "E5 model tensor '\(name)' has the wrong shape: expected \(expected), found \(found)"
        }
    }
}
