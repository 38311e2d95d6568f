import Foundation

/// NFC and NFD as `tokenizers` computes them. Its normaliser (the `unicode-normalization-alignments` crate) has
/// Unicode 9.0 tables: a character assigned later has no decomposition and combining class 0 there, so it is left
/// in place and marks are never reordered across it. Normalising the runs between such characters with Foundation
/// and keeping those characters as they are gives the same result, since decompositions and combining classes of
/// older characters never change.
///
/// Foundation's normaliser (the Swift standard library's) also has one flaw: U+0F73, U+0F75 and U+0F81 have
/// combining class 0 but decompose into combining marks, and those marks are not reordered with marks before them
/// ("a\u{330}\u{F75}" stays a, U+0330, U+0F71, U+0F74 instead of a, U+0F71, U+0F74, U+0330). Decomposing the three
/// first fixes it (NFC never recomposes them).
enum UnicodeNormalization {
    static func composed(_ text: String) -> String {
        normalized(text) { $0.precomposedStringWithCanonicalMapping }
    }

    static func decomposed(_ text: String) -> String {
        normalized(text) { $0.decomposedStringWithCanonicalMapping }
    }

    private static func normalized(_ text: String, _ form: (String) -> String) -> String {
        if text.utf8.allSatisfy({ $0 < 0x80 }) { return text }
        var result = ""
        result.reserveCapacity(text.utf8.count)
        var run = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if let parts = tibetanVowels[scalar.value] {
                run.append(contentsOf: parts)
            } else if scalar.value >= 0x300 && !knownToUnicode9(scalar) {
                result += form(String(run))
                run.removeAll(keepingCapacity: true)
                result.unicodeScalars.append(scalar)
            } else {
                run.append(scalar)
            }
        }
        result += form(String(run))
        return result
    }

    private static func knownToUnicode9(_ scalar: Unicode.Scalar) -> Bool {
        guard let age = scalar.properties.age else { return false }
        return age.major < 9 || (age.major == 9 && age.minor == 0)
    }

    private static let tibetanVowels: [UInt32: [Unicode.Scalar]] = [
        0x0F73: ["\u{0F71}", "\u{0F72}"],
        0x0F75: ["\u{0F71}", "\u{0F74}"],
        0x0F81: ["\u{0F71}", "\u{0F80}"],
    ]
}
