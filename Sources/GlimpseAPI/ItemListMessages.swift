import Foundation

/// `GET /v1/items?filter=&limit=&cursor=`: a page of items in catalog order.
public struct ItemListResponse: Codable, Sendable, Equatable {
    public var items: [ItemResponse]
    /// Pass as `cursor` for the next page; absent on the last page.
    public var nextCursor: String?

    public init(items: [ItemResponse], nextCursor: String?) {
        self.items = items
        self.nextCursor = nextCursor
    }

    enum CodingKeys: String, CodingKey {
        case items
        case nextCursor = "next_cursor"
    }
}

/// `POST /v1/items/delete` (admin): deletes every item matching `filter`; with `dry_run` only counts them.
public struct BulkDeleteRequest: Codable, Sendable, Equatable {
    /// The filter as JSON (required: deleting everything takes an explicit `{"field": …, "exists": …}` or similar).
    public var filter: JSONValue
    public var dryRun: Bool?

    public init(filter: JSONValue, dryRun: Bool? = nil) {
        self.filter = filter
        self.dryRun = dryRun
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case filter
        case dryRun = "dry_run"
    }

    public static let fieldNames: Set<String> = Set(CodingKeys.allCases.map(\.rawValue))
}

public struct BulkDeleteResponse: Codable, Sendable, Equatable {
    public var dryRun: Bool
    /// Items that matched (and, unless a dry run, were deleted).
    public var matched: Int
    public var tombstonedVectors: Int

    public init(dryRun: Bool, matched: Int, tombstonedVectors: Int) {
        self.dryRun = dryRun
        self.matched = matched
        self.tombstonedVectors = tombstonedVectors
    }

    enum CodingKeys: String, CodingKey {
        case matched
        case dryRun = "dry_run"
        case tombstonedVectors = "tombstoned_vectors"
    }
}

/// The parameters of a search page, shared by text, image and similar searches.
public struct SearchPaging: Sendable, Equatable {
    public var offset: Int?
    public var cursor: String?
    public var minScore: Float?
    public var filter: SearchFilter?

    public init(offset: Int? = nil, cursor: String? = nil, minScore: Float? = nil, filter: SearchFilter? = nil) {
        self.offset = offset
        self.cursor = cursor
        self.minScore = minScore
        self.filter = filter
    }
}
