/// BERT's text preparation as `tokenizers`' BertNormalizer + BertPreTokenizer: drop NUL, U+FFFD and control/format
/// characters and turn whitespace into spaces; put spaces around CJK ideographs (so each is its own word); strip
/// accents (NFD, then drop non-spacing marks); lowercase character by character; then split on whitespace and cut
/// every punctuation character out as a word of its own. See `TokenizerCharacterClasses` for the exact classes.
package struct BertBasicTokenizer: Sendable {
    package let lowercase: Bool
    package let stripAccents: Bool
    package let splitChineseCharacters: Bool

    /// `stripAccents` nil follows `lowercase`, as in BERT.
    package init(lowercase: Bool, stripAccents: Bool?, splitChineseCharacters: Bool) {
        self.lowercase = lowercase
        self.stripAccents = stripAccents ?? lowercase
        self.splitChineseCharacters = splitChineseCharacters
    }

    package func normalized(_ text: Substring) -> [Unicode.Scalar] {
        var scalars: [Unicode.Scalar] = []
        scalars.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            if TokenizerCharacterClasses.isBertRemovedControl(scalar) { continue }
            if TokenizerCharacterClasses.isWhitespace(scalar) {
                scalars.append(" ")
            } else if splitChineseCharacters && TokenizerCharacterClasses.isChineseCharacter(scalar) {
                scalars.append(" ")
                scalars.append(scalar)
                scalars.append(" ")
            } else {
                scalars.append(scalar)
            }
        }
        if stripAccents {
            scalars = UnicodeNormalization.decomposed(scalars).filter {
                !TokenizerCharacterClasses.isBertNonspacingMark($0)
            }
        }
        if lowercase {
            var lowered: [Unicode.Scalar] = []
            lowered.reserveCapacity(scalars.count)
            for scalar in scalars { TokenizerCharacterClasses.appendLowercased(scalar, to: &lowered) }
            return lowered
        }
        return scalars
    }

    /// Calls `body` with each word of the normalised text in order until it returns false.
    package static func forEachWord(in scalars: [Unicode.Scalar], _ body: (ArraySlice<Unicode.Scalar>) -> Bool) {
        var start = 0
        for (index, scalar) in scalars.enumerated() {
            if TokenizerCharacterClasses.isWhitespace(scalar) {
                if start < index, !body(scalars[start..<index]) { return }
                start = index + 1
            } else if TokenizerCharacterClasses.isBertPunctuation(scalar) {
                if start < index, !body(scalars[start..<index]) { return }
                if !body(scalars[index..<(index + 1)]) { return }
                start = index + 1
            }
        }
        if start < scalars.count { _ = body(scalars[start...]) }
    }
}
