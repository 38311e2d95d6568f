/// Why a PyTorch `pytorch_model.bin` cannot be read or does not hold the tensor asked for.
public enum PyTorchCheckpointError: Error, Equatable, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    /// Not a ZIP archive, or cut short: the directory or an entry lies past the end.
    case notAnArchive(path: String, reason: String)
    /// The pre-1.6 `torch.save` format (a bare pickle stream), which we do not read.
    case legacyFormat(path: String)
    case malformedArchive(path: String, reason: String)
    case compressedEntry(path: String, entry: String, method: UInt16)
    /// The pickle names a global outside the state-dict vocabulary: nothing was called.
    case forbiddenGlobal(path: String, name: String)
    case forbiddenOpcode(path: String, opcode: UInt8, name: String, offset: Int)
    case malformedPickle(path: String, offset: Int, reason: String)
    /// A tensor's view reaches past its storage, or a storage past its archive entry.
    case tensorOutOfRange(path: String, tensor: String)
    case missingTensor(path: String, tensor: String)
    case wrongShape(path: String, tensor: String, expected: [Int], found: [Int])
    case unsupportedDType(path: String, tensor: String, dtype: String)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason): "cannot read \(path): \(reason)"
        case .notAnArchive(let path, let reason): "\(path) is not a readable PyTorch checkpoint: \(reason)"
        case .legacyFormat(let path):
            "\(path) uses the legacy (pre-1.6) torch.save format; re-save it with a current PyTorch or convert it "
                + "to safetensors"
        case .malformedArchive(let path, let reason): "\(path): malformed checkpoint archive: \(reason)"
        case .compressedEntry(let path, let entry, let method):
            "\(path): archive entry \(entry) is compressed (method \(method)); torch.save stores entries uncompressed"
        case .forbiddenGlobal(let path, let name):
            "\(path): the pickle refers to \(name), which is not part of a state dict; refused without running it"
        case .forbiddenOpcode(let path, let opcode, let name, let offset):
            "\(path): pickle opcode \(name) (0x\(String(opcode, radix: 16))) at byte \(offset) is not used by a "
                + "state dict; refused"
        case .malformedPickle(let path, let offset, let reason):
            "\(path): malformed pickle at byte \(offset): \(reason)"
        case .tensorOutOfRange(let path, let tensor):
            "\(path): tensor \(tensor) reaches past the end of its storage (truncated or damaged)"
        case .missingTensor(let path, let tensor): "\(path) has no tensor \(tensor)"
        case .wrongShape(let path, let tensor, let expected, let found):
            "\(path): tensor \(tensor) has shape \(found), expected \(expected)"
        case .unsupportedDType(let path, let tensor, let dtype):
            "\(path): tensor \(tensor) has dtype \(dtype); only F32, F16 and BF16 can be read as floats"
        }
    }
}
