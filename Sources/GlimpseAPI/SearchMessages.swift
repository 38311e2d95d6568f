import Foundation

/// `GET /v1/search` answer: distinct items, best first.
public struct SearchResponse: Codable, Sendable, Equatable {
    public var query: String
    public var k: Int
    public var ef: Int
    public var tookMilliseconds: Double
    public var results: [SearchResult]
    /// Whether cross-lingual alignment was applied (asked for and available).
    public var aligned: Bool?
    /// The texts searched: the query, and with alignment its parts and dictionary translations.
    public var searched: [String]?

    public init(
        query: String, k: Int, ef: Int, tookMilliseconds: Double, results: [SearchResult], aligned: Bool? = nil,
        searched: [String]? = nil
    ) {
        self.query = query
        self.k = k
        self.ef = ef
        self.tookMilliseconds = tookMilliseconds
        self.results = results
        self.aligned = aligned
        self.searched = searched
    }

    enum CodingKeys: String, CodingKey {
        case query, k, ef, results, aligned, searched
        case tookMilliseconds = "took_ms"
    }
}

public struct SearchResult: Codable, Sendable, Equatable {
    public var id: String
    /// Cosine similarity of the best-matching vector of this item.
    public var score: Float
    public var imagePath: String
    public var captions: [String: String]
    public var matched: MatchedVector

    public init(id: String, score: Float, imagePath: String, captions: [String: String], matched: MatchedVector) {
        self.id = id
        self.score = score
        self.imagePath = imagePath
        self.captions = captions
        self.matched = matched
    }

    enum CodingKeys: String, CodingKey {
        case id, score, captions, matched
        case imagePath = "image_path"
    }
}

/// Which stored vector produced an item's score.
public struct MatchedVector: Codable, Sendable, Equatable {
    public var space: String
    public var source: String
    public var language: String?

    public init(space: String, source: String, language: String?) {
        self.space = space
        self.source = source
        self.language = language
    }
}
