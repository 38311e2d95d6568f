/// Why a `.safetensors` file cannot be read or does not hold the tensor asked for.
public enum SafetensorsError: Error, Equatable, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    /// Shorter than the 8-byte header length.
    case truncated(path: String, size: Int)
    /// The header length runs past the end of the file.
    case headerPastEnd(path: String, headerLength: UInt64, fileSize: Int)
    case malformedHeader(path: String, reason: String)
    /// A tensor's byte range lies outside the data section (the file is truncated or damaged).
    case tensorPastEnd(path: String, tensor: String, end: Int, dataSize: Int)
    /// A tensor's byte range does not hold shape × element size bytes.
    case tensorSizeMismatch(path: String, tensor: String, bytes: Int, expected: Int)
    case missingTensor(path: String, tensor: String)
    case wrongShape(path: String, tensor: String, expected: [Int], found: [Int])
    case unsupportedDType(path: String, tensor: String, dtype: String)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason): "cannot read \(path): \(reason)"
        case .truncated(let path, let size):
            "\(path) is truncated: \(size) bytes, not even the 8-byte header length"
        case .headerPastEnd(let path, let length, let size):
            "\(path) is truncated or not safetensors: header length \(length) runs past the end of the \(size)-byte file"
        case .malformedHeader(let path, let reason):
            "\(path) has a malformed safetensors header: \(reason)"
        case .tensorPastEnd(let path, let tensor, let end, let dataSize):
            "\(path) is truncated: tensor \(tensor) ends at data byte \(end) but the data section holds \(dataSize) bytes"
        case .tensorSizeMismatch(let path, let tensor, let bytes, let expected):
            "\(path): tensor \(tensor) occupies \(bytes) bytes but its shape and dtype need \(expected)"
        case .missingTensor(let path, let tensor): "\(path) has no tensor \(tensor)"
        case .wrongShape(let path, let tensor, let expected, let found):
            "\(path): tensor \(tensor) has shape \(found), expected \(expected)"
        case .unsupportedDType(let path, let tensor, let dtype):
            "\(path): tensor \(tensor) has dtype \(dtype); only F32, F16 and BF16 can be read as floats"
        }
    }
}
