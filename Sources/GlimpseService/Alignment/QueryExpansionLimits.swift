import GlimpseLanguage

/// Upper bounds on what cross-lingual alignment adds to one query, so a long mixed query cannot cost seconds of
/// embedding (a 1,000-character one expanded into 211 texts and 6.5 s of CPU). The query itself is always searched;
/// parts and translations past a bound are left out, and the response says so (`expansion_cut`).
public struct QueryExpansionLimits: Sendable, Equatable {
    /// Single-language runs of a mixed query searched and translated on their own; later runs stay in the
    /// query text only.
    public var maxParts: Int = 4
    /// Texts searched per query, the query included.
    public var maxTexts: Int = 24
    /// Estimated tokens of the added texts (parts and translations) together; see `TokenEstimate`.
    public var maxTokens: Int = 128

    public init(maxParts: Int = 4, maxTexts: Int = 24, maxTokens: Int = 128) {
        self.maxParts = maxParts
        self.maxTexts = maxTexts
        self.maxTokens = maxTokens
    }
}

/// The texts one query may still add under its `QueryExpansionLimits`, admitted in the order alignment proposes
/// them (parts first, then each part's translations); a text already admitted costs nothing again.
struct ExpansionBudget {
    let limits: QueryExpansionLimits
    private(set) var texts: Set<String>
    private(set) var tokens = 0
    /// Whether anything was refused.
    private(set) var cut = false

    init(limits: QueryExpansionLimits, query: String) {
        self.limits = limits
        self.texts = [query]
    }

    mutating func admit(_ text: String) -> Bool {
        if texts.contains(text) { return true }
        let cost = TokenEstimate.count(text)
        guard texts.count < limits.maxTexts, tokens + cost <= limits.maxTokens else {
            cut = true
            return false
        }
        texts.insert(text)
        tokens += cost
        return true
    }

    mutating func noteCut() { cut = true }
}
