/// How a search treats the query's language. The HTTP API offers on (`.full`, the default) and off (`.off`);
/// the other two exist so `glimpse-bench eval` can measure each technique alone.
public enum QueryAlignment: String, Sendable, CaseIterable {
    /// The query text alone, raw cosine.
    case off
    /// Also search the dictionary translations (and a mixed query's parts); fuse by best score.
    case dictionary
    /// Per-language centring of the scores only.
    case centring
    /// Both.
    case full

    var usesDictionary: Bool { self == .dictionary || self == .full }
    var usesCentring: Bool { self == .centring || self == .full }
}
