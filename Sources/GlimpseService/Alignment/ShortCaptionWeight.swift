import GlimpseLanguage

/// How much a caption's centred score counts by how much text it has. multilingual-e5-small finds very short texts
/// similar to every short query: with 14 junk captions ("x", "do", "ok", "的", …) beside the eval set's 177,
/// junk reached the top 5 of 134 of 166 label queries under centring (149 with raw cosine), and junk does not sit
/// closer to its language's mean than real captions do (its centred norm is 0.86–1.33 of the language's typical
/// one, real captions' 0.78 and up), so centring cannot tell it apart. A positive centred score is therefore scaled
/// by `min(1, tokens / fullWeightTokens)`, with tokens estimated by `TokenEstimate` (one per Han character, one per
/// word or number): a caption of four or more counts fully, a one-word caption a quarter. Measured on the same set,
/// 4 leaves junk in no top 5 (3: 5 of 166, 2: 41) and recall@1 does not drop. The price: a legitimately one-word
/// caption ("dog", 狗) ranks below sentences that match as well.
enum ShortCaptionWeight {
    static let fullWeightTokens = 4

    static func weight(of caption: String) -> Float {
        min(1, Float(TokenEstimate.count(caption)) / Float(fullWeightTokens))
    }

    /// Negative scores are left alone: scaling them toward 0 would raise them.
    static func apply(_ score: Float, caption: String?) -> Float {
        guard let caption, score > 0 else { return score }
        return score * weight(of: caption)
    }
}
