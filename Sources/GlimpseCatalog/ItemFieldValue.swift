import Foundation

/// One value of an item's user fields (`fields` on the wire), as the catalog stores it.
public enum ItemFieldValue: Sendable, Equatable {
    case string(String)
    case number(Double)
    case boolean(Bool)
    /// An RFC 3339 timestamp: seconds since 1970 UTC for comparisons, and the spelling it arrived in.
    case timestamp(seconds: Double, text: String)
    case strings([String])
}

/// A filter over items, evaluated in SQL by `Catalog.itemIDs(matching:)` and friends. Built by the service from the
/// API's `SearchFilter`; the catalog does not know the wire grammar.
public indirect enum ItemFilter: Sendable, Equatable {
    case all([ItemFilter])
    case any([ItemFilter])
    case not(ItemFilter)
    case field(String, ItemFieldTest)
    /// The item has a caption in one of these languages (`lang`).
    case captionLanguage(in: [String])
    /// The item was first ingested within the bounds (`ingested_at`), seconds since 1970 UTC.
    case ingestedAt(ItemFieldRange)
    /// The item's photo fact is present and within the bounds (no bounds: present at all).
    case photo(PhotoFact, ItemFieldRange)
}

/// A photo fact a filter can test, by its `items` column (migration 0007).
public enum PhotoFact: String, Sendable, Equatable, CaseIterable {
    /// Seconds since 1970 UTC.
    case takenAt = "photo_taken_at"
    case width = "photo_width"
    case height = "photo_height"
}

/// A test on one user field. A field holding an array of strings matches `equals`/`oneOf` when any element does.
public enum ItemFieldTest: Sendable, Equatable {
    case equals(ItemFieldValue)
    case oneOf([ItemFieldValue])
    /// On numbers, or on timestamps when `onTimestamps`.
    case range(ItemFieldRange, onTimestamps: Bool)
    case exists(Bool)
}

/// Numeric bounds; nil means unbounded on that side.
public struct ItemFieldRange: Sendable, Equatable {
    public var greaterThan: Double?
    public var atLeast: Double?
    public var lessThan: Double?
    public var atMost: Double?

    public init(greaterThan: Double? = nil, atLeast: Double? = nil, lessThan: Double? = nil, atMost: Double? = nil) {
        self.greaterThan = greaterThan
        self.atLeast = atLeast
        self.lessThan = lessThan
        self.atMost = atMost
    }
}
