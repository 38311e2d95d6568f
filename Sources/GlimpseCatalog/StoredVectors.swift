import Foundation

/// A live vector read back for index replay.
public struct StoredVector: Sendable, Equatable {
    public var id: Int64
    /// Empty when the stored blob is not `dimension` float32 values (a damaged row): callers that check the
    /// dimension, as the index loader does, skip it.
    public var vector: [Float]

    public init(id: Int64, vector: [Float]) {
        self.id = id
        self.vector = vector
    }
}

/// The item a search hit's vector belongs to.
public struct VectorOwner: Sendable, Equatable {
    public var externalID: String
    public var imagePath: String
    public var captions: [String: String]
    public var source: VectorSource
    public var captionLanguage: String?
    /// The vector was replaced or deleted after the index learned it; such a hit should be dropped.
    public var tombstoned: Bool
    /// The vector itself when asked for (`hits(vectorIDs:includingVectors:)`) and its blob is intact; else nil.
    public var vector: [Float]?
    /// The languages of `captions` that are automatic (source 'auto').
    public var automaticCaptionLanguages: Set<String> = []

    public init(
        externalID: String, imagePath: String, captions: [String: String], source: VectorSource,
        captionLanguage: String?, tombstoned: Bool, vector: [Float]? = nil
    ) {
        self.externalID = externalID
        self.imagePath = imagePath
        self.captions = captions
        self.source = source
        self.captionLanguage = captionLanguage
        self.tombstoned = tombstoned
        self.vector = vector
    }
}

/// Row counts of the catalog, for status.
public struct CatalogCounts: Sendable, Equatable {
    public var items: Int
    public var captions: Int
    public var liveVectors: Int
    public var tombstonedVectors: Int
    /// Jobs by state raw value; every state is present, zero when there are none.
    public var jobs: [String: Int]

    public init(items: Int, captions: Int, liveVectors: Int, tombstonedVectors: Int, jobs: [String: Int]) {
        self.items = items
        self.captions = captions
        self.liveVectors = liveVectors
        self.tombstonedVectors = tombstonedVectors
        self.jobs = jobs
    }
}
