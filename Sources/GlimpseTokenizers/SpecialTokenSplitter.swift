/// Finds a tokenizer's special tokens ("<|endoftext|>", "[MASK]", …) in the raw text, as `tokenizers` does before
/// normalising: matched case-sensitively, leftmost-longest, each becoming its own id while the text between is
/// tokenized normally. `transformers` does this to user text too, so we must for identical ids.
package struct SpecialTokenSplitter: Sendable {
    package enum Segment: Equatable {
        case text(Substring)
        case special(id: Int)
    }

    /// (UTF-8 spelling, id), longest first so the first match at a position is the longest.
    private let tokens: [(bytes: [UInt8], id: Int)]
    /// Whether some token starts with this byte, by byte value.
    private let firstBytes: [Bool]

    package init(tokens: [String: Int]) {
        self.tokens = tokens.filter { !$0.key.isEmpty }
            .map { (Array($0.key.utf8), $0.value) }
            .sorted {
                $0.bytes.count != $1.bytes.count
                    ? $0.bytes.count > $1.bytes.count : $0.bytes.lexicographicallyPrecedes($1.bytes)
            }
        var firstBytes = [Bool](repeating: false, count: 256)
        for token in self.tokens { firstBytes[Int(token.bytes[0])] = true }
        self.firstBytes = firstBytes
    }

    /// The text cut at every special token, in order. Text segments may be empty.
    package func segments(of text: String) -> [Segment] {
        guard !tokens.isEmpty else { return [.text(text[...])] }
        let utf8 = text.utf8
        var segments: [Segment] = []
        var textStart = utf8.startIndex
        var position = utf8.startIndex
        while position != utf8.endIndex {
            guard firstBytes[Int(utf8[position])],
                let (id, length) = match(in: utf8[position...])
            else {
                position = utf8.index(after: position)
                continue
            }
            segments.append(.text(Self.slice(text, textStart, position)))
            segments.append(.special(id: id))
            position = utf8.index(position, offsetBy: length)
            textStart = position
        }
        segments.append(.text(Self.slice(text, textStart, utf8.endIndex)))
        return segments
    }

    /// Sliced through the scalar view: a String subscript would round to grapheme boundaries, and a special token
    /// may follow a character it forms one grapheme with (a prepended mark).
    private static func slice(_ text: String, _ start: String.Index, _ end: String.Index) -> Substring {
        Substring(text.unicodeScalars[start..<end])
    }

    private func match(in rest: Substring.UTF8View) -> (id: Int, length: Int)? {
        for token in tokens where rest.starts(with: token.bytes) {
            return (token.id, token.bytes.count)
        }
        return nil
    }
}
