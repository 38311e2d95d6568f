/// A cheap stand-in for an embedder's token count, used to bound what alignment adds to a query: one per Han
/// character, one per run of other letters or digits (the E5 tokenizer gives about one token per Han character and
/// one to two per English word).
public enum TokenEstimate {
    public static func count(_ text: String) -> Int {
        var tokens = 0
        var inWord = false
        for scalar in text.unicodeScalars {
            if Script(scalar) == .han {
                tokens += 1
                inWord = false
            } else if scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) {
                if !inWord { tokens += 1 }
                inWord = true
            } else {
                inWord = false
            }
        }
        return tokens
    }
}
