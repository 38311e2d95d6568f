/// Why an index operation failed. Every case carries a message naming the problem.
public enum HNSWIndexError: Error, Equatable, CustomStringConvertible {
    case invalidParameters(String)
    case invalidInput(String)
    /// A snapshot file is truncated, corrupted or not ours.
    case corruptSnapshot(String)
    /// Reading or writing a snapshot failed at the file-system level.
    case io(String)
    /// FAISS or the C++ shim reported an error.
    case backend(String)

    public var description: String {
        switch self {
        case .invalidParameters(let message): "invalid HNSW parameters: \(message)"
        case .invalidInput(let message): "invalid index input: \(message)"
        case .corruptSnapshot(let message): "corrupt index snapshot: \(message)"
        case .io(let message): "index snapshot I/O failed: \(message)"
        case .backend(let message): "index backend error: \(message)"
        }
    }
}
