import Foundation

/// `GET /v1/search` answer: distinct items, best first.
public struct SearchResponse: Codable, Sendable, Equatable {
    public var query: String
    public var k: Int
    public var ef: Int
    public var tookMilliseconds: Double
    public var results: [SearchResult]
    /// Set for a search by example image (`query` is then empty): what the image was.
    public var image: ImageQuery?
    /// Whether cross-lingual alignment was applied (asked for and available).
    public var aligned: Bool?
    /// The texts searched: the query, and with alignment its parts and dictionary translations.
    public var searched: [String]?
    /// The `ef` the caller asked for, present only when it was below the number of vectors the search fetches (the
    /// alignment pool or 4 × k) and so was raised to `ef`.
    public var efRequested: Int?
    /// Results skipped before this page (`offset`, or where the `cursor` left off).
    public var offset: Int?
    /// Pass as `cursor` to get the next page; absent on the last page.
    public var nextCursor: String?
    /// With the dictionary in use: whether parts or translations were left out of `searched` under the daemon's
    /// query-expansion bounds (`query_expansion_max_*`).
    public var expansionCut: Bool?

    public init(
        query: String, k: Int, ef: Int, tookMilliseconds: Double, results: [SearchResult], image: ImageQuery? = nil,
        aligned: Bool? = nil, searched: [String]? = nil, expansionCut: Bool? = nil
    ) {
        self.query = query
        self.k = k
        self.ef = ef
        self.tookMilliseconds = tookMilliseconds
        self.results = results
        self.image = image
        self.aligned = aligned
        self.searched = searched
        self.expansionCut = expansionCut
    }

    enum CodingKeys: String, CodingKey {
        case query, k, ef, results, image, aligned, searched, offset
        case tookMilliseconds = "took_ms"
        case efRequested = "ef_requested"
        case nextCursor = "next_cursor"
        case expansionCut = "expansion_cut"
    }
}

public struct SearchResult: Codable, Sendable, Equatable {
    public var id: String
    /// Cosine similarity of the best-matching vector of this item.
    public var score: Float
    public var imagePath: String
    public var captions: [String: String]
    public var matched: MatchedVector
    /// The item's score in each embedding space that found it (source weight × cosine of its best vector there);
    /// `score` is their weighted mean over all spaces searched. Absent in answers of daemons before fusion.
    public var scores: [String: Float]?
    /// The item's user fields, when it has any.
    public var fields: [String: JSONValue]?
    /// What the item's image headers say, when they could be read.
    public var photo: PhotoFactsResponse?
    /// Where each caption came from, by language: "auto" (zero-shot labels of an image-only item) or "given".
    /// Absent when every caption was given (`CaptionSource`).
    public var captionSources: [String: String]?

    public init(
        id: String, score: Float, imagePath: String, captions: [String: String], matched: MatchedVector,
        scores: [String: Float]? = nil
    ) {
        self.id = id
        self.score = score
        self.imagePath = imagePath
        self.captions = captions
        self.matched = matched
        self.scores = scores
    }

    enum CodingKeys: String, CodingKey {
        case id, score, captions, matched, scores, fields, photo
        case imagePath = "image_path"
        case captionSources = "caption_sources"
    }
}

/// Where a caption came from, as `caption_sources` on items and results names it.
public enum CaptionSource: String, Codable, Sendable, CaseIterable {
    /// Sent with the item.
    case given
    /// Written by the daemon: the top zero-shot labels of an item ingested without captions.
    case auto

    /// `caption_sources` for captions in `languages` of which `automatic` are automatic; nil when none is, so
    /// answers about captioned items keep their shape.
    public static func wire(languages: some Collection<String>, automatic: Set<String>) -> [String: String]? {
        guard !automatic.isEmpty else { return nil }
        return Dictionary(
            uniqueKeysWithValues: languages.map {
                ($0, automatic.contains($0) ? CaptionSource.auto.rawValue : CaptionSource.given.rawValue)
            })
    }
}

/// An item's photo facts (`photo` on items and results): EXIF capture time and upright pixel size.
public struct PhotoFactsResponse: Codable, Sendable, Equatable {
    /// The capture instant in UTC (RFC 3339, `Z`); absent without EXIF DateTimeOriginal. Without `utc_offset`
    /// it is the camera's wall-clock time read as UTC.
    public var takenAt: String?
    /// EXIF OffsetTimeOriginal as the camera wrote it ("+08:00"), when present.
    public var utcOffset: String?
    public var width: Int
    public var height: Int

    public init(takenAt: String?, utcOffset: String?, width: Int, height: Int) {
        self.takenAt = takenAt
        self.utcOffset = utcOffset
        self.width = width
        self.height = height
    }

    enum CodingKeys: String, CodingKey {
        case width, height
        case takenAt = "taken_at"
        case utcOffset = "utc_offset"
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

/// The example image of `POST /v1/search/image`, as decoded.
public struct ImageQuery: Codable, Sendable, Equatable {
    public var format: String
    public var width: Int
    public var height: Int
    public var bytes: Int
    /// The spaces the image was embedded and searched in.
    public var spaces: [String]

    public init(format: String, width: Int, height: Int, bytes: Int, spaces: [String]) {
        self.format = format
        self.width = width
        self.height = height
        self.bytes = bytes
        self.spaces = spaces
    }
}
