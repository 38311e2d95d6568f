import Foundation

/// An item as the catalog stores it: one image, its captions by language, and how many live vectors it has.
public struct ItemRecord: Sendable, Equatable {
    public var externalID: String
    public var imagePath: String
    public var contentHash: String
    public var captions: [String: String]
    public var liveVectorCount: Int
    public var createdAt: Date
    public var updatedAt: Date
    /// The item's user fields (`item_fields`).
    public var fields: [String: ItemFieldValue]

    public init(
        externalID: String, imagePath: String, contentHash: String, captions: [String: String], liveVectorCount: Int,
        createdAt: Date, updatedAt: Date, fields: [String: ItemFieldValue] = [:]
    ) {
        self.fields = fields
        self.externalID = externalID
        self.imagePath = imagePath
        self.contentHash = contentHash
        self.captions = captions
        self.liveVectorCount = liveVectorCount
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// An item to insert or update, keyed by `externalID`; `contentHash` decides whether an existing one changed.
public struct NewItem: Sendable, Equatable {
    public var externalID: String
    public var imagePath: String
    public var contentHash: String
    public var captions: [String: String]
    /// Replace the item's stored fields on insert and update.
    public var fields: [String: ItemFieldValue]

    public init(
        externalID: String, imagePath: String, contentHash: String, captions: [String: String],
        fields: [String: ItemFieldValue] = [:]
    ) {
        self.fields = fields
        self.externalID = externalID
        self.imagePath = imagePath
        self.contentHash = contentHash
        self.captions = captions
    }
}

/// What a vector was computed from.
public enum VectorSource: String, Sendable, Codable, CaseIterable {
    case caption, image
}

/// One embedding of an item in one embedding space (named after the model that made it).
public struct NewVector: Sendable, Equatable {
    public var space: String
    public var source: VectorSource
    /// The caption's language for `.caption` vectors; nil for `.image` vectors.
    public var captionLanguage: String?
    public var vector: [Float]

    public init(space: String, source: VectorSource, captionLanguage: String?, vector: [Float]) {
        self.space = space
        self.source = source
        self.captionLanguage = captionLanguage
        self.vector = vector
    }
}

/// What `upsertItem` did. Vector ids come in the order of the `vectors` argument and always increase.
public enum UpsertOutcome: Sendable, Equatable {
    case inserted(ids: [Int64])
    /// The item existed with another content hash: captions replaced, `tombstoned` (its previous live vectors,
    /// ascending) superseded by `ids`.
    case updated(ids: [Int64], tombstoned: [Int64])
    /// Same content hash as stored: nothing written.
    case unchanged
}
