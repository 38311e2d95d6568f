/// The writing systems query handling tells apart. Everything else (digits, punctuation, spaces, emoji) is neutral.
enum Script: Sendable, Equatable {
    case han
    case latin

    init?(_ scalar: Unicode.Scalar) {
        switch scalar.value {
        case 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xF900...0xFAFF, 0x20000...0x3134F:
            self = .han
        case 0x41...0x5A, 0x61...0x7A, 0xC0...0xD6, 0xD8...0xF6, 0xF8...0x24F:
            self = .latin
        default:
            return nil
        }
    }

    var language: QueryLanguage {
        switch self {
        case .han: .chinese
        case .latin: .english
        }
    }
}
