import Foundation

/// NFC and NFD as `tokenizers` computes them, in linear time.
///
/// - `tokenizers`' normaliser (the `unicode-normalization-alignments` crate) has Unicode 9.0 tables: a character
///   assigned later has no decomposition and combining class 0 there, so it stays in place and marks are never
///   reordered across it. Normalising the runs between such characters with Foundation and keeping those
///   characters as they are gives the same result (older characters' decompositions and classes never change).
/// - Foundation's normaliser (the Swift standard library's) reorders combining marks by insertion, quadratic in the
///   length of a run of marks (a megabyte of alternating accents takes minutes). Each run of marks is therefore
///   sorted here first (stably, by combining class, which is what canonical ordering does), leaving it nothing to do.
/// - It also does not reorder the marks of U+0F73, U+0F75 and U+0F81 (class 0, but decomposing into marks) with
///   marks before them; they are decomposed here first (NFC never recomposes them).
/// - Runs made only of characters that no normal form changes (ASCII, CJK ideographs, …) skip Foundation.
package enum UnicodeNormalization {
    package static func composed(_ scalars: [Unicode.Scalar]) -> [Unicode.Scalar] {
        normalized(scalars, unchanged: unchangedByNFC) { $0.precomposedStringWithCanonicalMapping }
    }

    package static func decomposed(_ scalars: [Unicode.Scalar]) -> [Unicode.Scalar] {
        normalized(scalars, unchanged: unchangedByNFD) { $0.decomposedStringWithCanonicalMapping }
    }

    private static func normalized(
        _ scalars: [Unicode.Scalar], unchanged: (UInt32) -> Bool, _ form: (String) -> String
    ) -> [Unicode.Scalar] {
        if scalars.allSatisfy({ unchanged($0.value) }) { return scalars }
        var result: [Unicode.Scalar] = []
        result.reserveCapacity(scalars.count)
        var run: [Unicode.Scalar] = []
        var runNeedsForm = false
        var marks: [(combiningClass: UInt8, scalar: Unicode.Scalar)] = []

        func flushMarks() {
            if marks.count > 1 {
                // Stable: equal classes keep their order.
                let sorted = marks.enumerated().sorted {
                    ($0.element.combiningClass, $0.offset) < ($1.element.combiningClass, $1.offset)
                }
                run.append(contentsOf: sorted.map(\.element.scalar))
            } else if let mark = marks.first {
                run.append(mark.scalar)
            }
            marks.removeAll(keepingCapacity: true)
        }
        func flushRun() {
            flushMarks()
            guard !run.isEmpty else { return }
            if runNeedsForm {
                var view = String.UnicodeScalarView()
                view.append(contentsOf: run)
                result.append(contentsOf: form(String(view)).unicodeScalars)
            } else {
                result.append(contentsOf: run)
            }
            run.removeAll(keepingCapacity: true)
            runNeedsForm = false
        }
        func add(_ scalar: Unicode.Scalar) {
            let combiningClass = scalar.value < 0x300 ? 0 : scalar.properties.canonicalCombiningClass.rawValue
            if combiningClass == 0 {
                if !marks.isEmpty { flushMarks() }
                run.append(scalar)
            } else {
                marks.append((combiningClass, scalar))
            }
            if !runNeedsForm && !unchanged(scalar.value) { runNeedsForm = true }
        }

        for scalar in scalars {
            if let parts = tibetanVowelParts(scalar.value) {
                add(parts.0)
                add(parts.1)
            } else if scalar.value >= 0x300 && !unchanged(scalar.value) && !knownToUnicode9(scalar) {
                flushRun()
                result.append(scalar)
            } else {
                add(scalar)
            }
        }
        flushRun()
        return result
    }

    private static func knownToUnicode9(_ scalar: Unicode.Scalar) -> Bool {
        guard let age = scalar.properties.age else { return false }
        return age.major < 9 || (age.major == 9 && age.minor == 0)
    }

    /// Characters of combining class 0 that neither decompose nor compose with what precedes them
    /// (NFC_Quick_Check = Yes): Latin below U+0300, Cyrillic letters, CJK symbols, kana, ideographs, Hangul
    /// syllables, full-width ASCII, emoji.
    private static func unchangedByNFC(_ value: UInt32) -> Bool {
        switch value {
        case 0..<0x300, 0x400..<0x483, 0x3000..<0x302A, 0x3041..<0x3097, 0x30A1..<0x30FB, 0x3400..<0x4DC0,
            0x4E00..<0xA000, 0xAC00..<0xD7A4, 0xFF01..<0xFF5F, 0x1F300..<0x1FB00:
            return true
        default:
            return false
        }
    }

    /// Characters of combining class 0 without a canonical decomposition (NFD_Quick_Check = Yes).
    private static func unchangedByNFD(_ value: UInt32) -> Bool {
        switch value {
        case 0..<0xC0, 0x3000..<0x302A, 0x3400..<0x4DC0, 0x4E00..<0xA000, 0xFF01..<0xFF5F, 0x1F300..<0x1FB00:
            return true
        default:
            return false
        }
    }

    @inline(__always)
    private static func tibetanVowelParts(_ value: UInt32) -> (Unicode.Scalar, Unicode.Scalar)? {
        switch value {
        case 0x0F73: ("\u{0F71}", "\u{0F72}")
        case 0x0F75: ("\u{0F71}", "\u{0F74}")
        case 0x0F81: ("\u{0F71}", "\u{0F80}")
        default: nil
        }
    }
}
