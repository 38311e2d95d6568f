/// Why a dictionary file could not be used. The daemon logs it and serves plain vector search.
public enum DictionaryError: Error, Equatable, CustomStringConvertible {
    case missing(path: String)
    case unreadable(path: String, reason: String)
    case corrupt(path: String, line: Int, reason: String)

    public var description: String {
        switch self {
        case .missing(let path):
            "bilingual dictionary not found at \(path) (install it with scripts/fetch-dictionary.sh)"
        case .unreadable(let path, let reason):
            "bilingual dictionary \(path) is not readable: \(reason)"
        case .corrupt(let path, let line, let reason):
            "bilingual dictionary \(path) is corrupt at line \(line): \(reason) (reinstall it with scripts/fetch-dictionary.sh)"
        }
    }
}
