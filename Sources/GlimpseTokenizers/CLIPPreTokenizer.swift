/// CLIP's text normaliser and pre-tokenizer as `transformers`' CLIPTokenizer sets up `tokenizers`:
/// NFC, each run of whitespace → one space, lowercase (character by character, so no final sigma); then the words
/// are the matches of `<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+`
/// (whitespace between them is dropped). The ByteLevel step re-splits each word with GPT-2's regex, which changes
/// only the special-token spellings: "<|endoftext|>" typed in lower or mixed case becomes "<|", "endoftext", "|>".
package enum CLIPPreTokenizer {
    /// The normalised scalars of `text`.
    package static func normalized(_ text: Substring) -> [Unicode.Scalar] {
        let composed = UnicodeNormalization.composed(Array(text.unicodeScalars))
        var scalars: [Unicode.Scalar] = []
        scalars.reserveCapacity(composed.count)
        var inWhitespace = false
        for scalar in composed {
            if TokenizerCharacterClasses.isWhitespace(scalar) {
                if !inWhitespace { scalars.append(" ") }
                inWhitespace = true
                continue
            }
            inWhitespace = false
            TokenizerCharacterClasses.appendLowercased(scalar, to: &scalars)
        }
        return scalars
    }

    /// Calls `body` with each word in order until it returns false.
    package static func forEachWord(in scalars: [Unicode.Scalar], _ body: (ArraySlice<Unicode.Scalar>) -> Bool) {
        let count = scalars.count
        var i = 0
        while i < count {
            let scalar = scalars[i]
            if TokenizerCharacterClasses.isWhitespace(scalar) {
                i += 1
                continue
            }
            var end = i + 1
            if scalar == "<", let name = specialSpelling(in: scalars, at: i) {
                // "<|", the name, "|>": the three GPT-2 regex pieces of the one CLIP regex match.
                let nameEnd = i + 2 + name.count
                guard body(scalars[i..<(i + 2)]), body(scalars[(i + 2)..<nameEnd]),
                    body(scalars[nameEnd..<(nameEnd + 2)])
                else { return }
                i = nameEnd + 2
                continue
            } else if scalar == "'", let length = contractionLength(in: scalars, at: i) {
                end = i + length
            } else if TokenizerCharacterClasses.isRegexLetter(scalar) {
                while end < count, TokenizerCharacterClasses.isRegexLetter(scalars[end]) { end += 1 }
            } else if TokenizerCharacterClasses.isRegexNumber(scalar) {
                // [\p{N}]: one digit per word.
            } else {
                while end < count, isOther(scalars[end]) { end += 1 }
            }
            guard body(scalars[i..<end]) else { return }
            i = end
        }
    }

    private static let specialNames: [[Unicode.Scalar]] = ["startoftext", "endoftext"].map { Array($0.unicodeScalars) }

    /// The name inside "<|name|>" when one of the two special spellings starts at `start`.
    private static func specialSpelling(in scalars: [Unicode.Scalar], at start: Int) -> [Unicode.Scalar]? {
        guard start + 1 < scalars.count, scalars[start + 1] == "|" else { return nil }
        for name in specialNames {
            let nameEnd = start + 2 + name.count
            guard nameEnd + 2 <= scalars.count else { continue }
            if scalars[(start + 2)..<nameEnd].elementsEqual(name), scalars[nameEnd] == "|", scalars[nameEnd + 1] == ">"
            {
                return name
            }
        }
        return nil
    }

    /// 's 't 're 've 'm 'll 'd (the text is already lowercase).
    private static func contractionLength(in scalars: [Unicode.Scalar], at start: Int) -> Int? {
        guard start + 1 < scalars.count else { return nil }
        switch scalars[start + 1] {
        case "s", "t", "m", "d":
            return 2
        case "r", "v":
            return start + 2 < scalars.count && scalars[start + 2] == "e" ? 3 : nil
        case "l":
            return start + 2 < scalars.count && scalars[start + 2] == "l" ? 3 : nil
        default:
            return nil
        }
    }

    @inline(__always)
    private static func isOther(_ scalar: Unicode.Scalar) -> Bool {
        !TokenizerCharacterClasses.isWhitespace(scalar) && !TokenizerCharacterClasses.isRegexLetter(scalar)
            && !TokenizerCharacterClasses.isRegexNumber(scalar)
    }
}
