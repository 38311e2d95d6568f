/// Character classes exactly as Hugging Face `tokenizers` 0.23 (Rust) sees them, so the Swift tokenizers split text
/// where `transformers` does. Two different Unicode tables are behind them, and neither is Swift's own (Unicode 17):
///
/// - CLIP's pre-tokenizer regex runs on Oniguruma, whose `\p{L}`/`\p{N}` tables are Unicode 16: letters and
///   numbers assigned later are "other" there.
/// - BERT's normaliser and pre-tokenizer ask the `unicode_categories` crate, whose tables are Unicode 8.0: only
///   characters assigned by 8.0 count as punctuation, control/format or non-spacing marks, with the categories they
///   had in 8.0 (the few characters whose category changed since are listed below).
///
/// Checked code point by code point against the Python `tokenizers` package (all 1,112,064 scalars).
package enum TokenizerCharacterClasses {
    // MARK: Shared

    /// CJK ideographs and Hangul syllables (the bulk of Chinese and Korean text): letters, not whitespace, control
    /// or punctuation, unchanged by lowercasing, all assigned by Unicode 14. Checked first to skip table lookups.
    @inline(__always)
    package static func isCommonIdeographOrSyllable(_ value: UInt32) -> Bool {
        (0x4E00...0x9FFF).contains(value) || (0x3400...0x4DBF).contains(value) || (0xAC00...0xD7A3).contains(value)
    }

    /// The White_Space property: Oniguruma's `\s` and Rust's `char::is_whitespace` (tables agree on it).
    @inline(__always)
    package static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        if value < 0x80 { return value == 0x20 || (0x09...0x0D).contains(value) }
        if isCommonIdeographOrSyllable(value) { return false }
        return scalar.properties.isWhitespace
    }

    /// Rust's `char::to_lowercase`, one character at a time (so Σ is always σ, never a final ς).
    @inline(__always)
    package static func appendLowercased(_ scalar: Unicode.Scalar, to scalars: inout [Unicode.Scalar]) {
        let value = scalar.value
        if value < 0x80 {
            scalars.append((0x41...0x5A).contains(value) ? Unicode.Scalar(value + 0x20)! : scalar)
        } else if !isCommonIdeographOrSyllable(value) && scalar.properties.changesWhenLowercased {
            scalars.append(contentsOf: scalar.properties.lowercaseMapping.unicodeScalars)
        } else {
            scalars.append(scalar)
        }
    }

    // MARK: CLIP (Oniguruma, Unicode 16)

    /// `\p{L}`.
    @inline(__always)
    package static func isRegexLetter(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        if value < 0x80 { return (0x61...0x7A).contains(value) || (0x41...0x5A).contains(value) }
        if isCommonIdeographOrSyllable(value) { return true }
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter:
            return assigned(scalar, byMajor: 16, minor: 0)
        default:
            return false
        }
    }

    /// `\p{N}`.
    @inline(__always)
    package static func isRegexNumber(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        if value < 0x80 { return (0x30...0x39).contains(value) }
        if isCommonIdeographOrSyllable(value) { return false }
        switch scalar.properties.generalCategory {
        case .decimalNumber, .letterNumber, .otherNumber:
            return assigned(scalar, byMajor: 16, minor: 0)
        default:
            return false
        }
    }

    // MARK: BERT (unicode_categories, Unicode 8.0)

    /// Removed by BertNormalizer's clean_text: NUL, U+FFFD and Cc/Cf/Co except tab, newline and carriage return.
    @inline(__always)
    package static func isBertRemovedControl(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        if value < 0x80 {
            return value == 0 || value == 0x7F || (value < 0x20 && value != 0x09 && value != 0x0A && value != 0x0D)
        }
        if value == 0xFFFD { return true }
        if isCommonIdeographOrSyllable(value) { return false }
        switch scalar.properties.generalCategory {
        case .control, .format, .privateUse: return assignedByUnicode8(scalar)
        default: return false
        }
    }

    /// BertPreTokenizer's punctuation: every ASCII punctuation character (including symbols such as `$+<=>^|~`),
    /// and the Unicode P* categories as of Unicode 8.0 (U+166D and U+111C9 were Po then; now So and Mn).
    @inline(__always)
    package static func isBertPunctuation(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        if value < 0x80 {
            return (0x21...0x2F).contains(value) || (0x3A...0x40).contains(value)
                || (0x5B...0x60).contains(value) || (0x7B...0x7E).contains(value)
        }
        if isCommonIdeographOrSyllable(value) { return false }
        if value == 0x166D || value == 0x111C9 { return true }
        switch scalar.properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
            .initialPunctuation, .finalPunctuation, .otherPunctuation:
            return assignedByUnicode8(scalar)
        default:
            return false
        }
    }

    /// Dropped after NFD when BERT strips accents: category Mn as of Unicode 8.0 (U+1734 and U+1171E were Mn then,
    /// now Mc; U+1885, U+1886, U+A9BD and U+111C9 became Mn later).
    @inline(__always)
    package static func isBertNonspacingMark(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        if value < 0x300 || isCommonIdeographOrSyllable(value) { return false }
        switch value {
        case 0x1734, 0x1171E: return true
        case 0x1885, 0x1886, 0xA9BD, 0x111C9: return false
        default: break
        }
        return scalar.properties.generalCategory == .nonspacingMark && assignedByUnicode8(scalar)
    }

    /// BertNormalizer's handle_chinese_chars blocks (CJK ideographs; not kana or hangul). These are the exact ranges
    /// of the Rust code, which skips U+2B820–U+2B91F.
    @inline(__always)
    package static func isChineseCharacter(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF, 0x2A700...0x2B73F, 0x2B740...0x2B81F,
            0x2B920...0x2CEAF, 0xF900...0xFAFF, 0x2F800...0x2FA1F:
            return true
        default:
            return false
        }
    }

    @inline(__always)
    private static func assignedByUnicode8(_ scalar: Unicode.Scalar) -> Bool {
        assigned(scalar, byMajor: 8, minor: 0)
    }

    @inline(__always)
    private static func assigned(_ scalar: Unicode.Scalar, byMajor major: Int, minor: Int) -> Bool {
        guard let age = scalar.properties.age else { return false }
        return age.major < major || (age.major == major && age.minor <= minor)
    }
}
