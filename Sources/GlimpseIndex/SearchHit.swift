/// One search result: a catalog vector id and its inner product with the query (higher is closer).
public struct SearchHit: Sendable, Equatable, Hashable {
    public let id: Int64
    public let score: Float

    public init(id: Int64, score: Float) {
        self.id = id
        self.score = score
    }
}
