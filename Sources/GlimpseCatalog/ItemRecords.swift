import Foundation
import GRDB

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
    /// What the image's headers said at the last ingest that changed the item; nil when they could not be read.
    public var photo: ItemPhotoFacts?
    /// The languages of `captions` that are automatic (zero-shot labels, source 'auto'); the others were given.
    public var automaticCaptionLanguages: Set<String> = []

    public init(
        externalID: String, imagePath: String, contentHash: String, captions: [String: String], liveVectorCount: Int,
        createdAt: Date, updatedAt: Date, fields: [String: ItemFieldValue] = [:], photo: ItemPhotoFacts? = nil
    ) {
        self.fields = fields
        self.photo = photo
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
    /// Replace the item's photo facts on insert and update (nil clears them).
    public var photo: ItemPhotoFacts?
    /// The languages of `captions` stored as automatic (source 'auto'); the content hash covers only given ones.
    public var automaticCaptionLanguages: Set<String> = []

    public init(
        externalID: String, imagePath: String, contentHash: String, captions: [String: String],
        fields: [String: ItemFieldValue] = [:], photo: ItemPhotoFacts? = nil,
        automaticCaptionLanguages: Set<String> = []
    ) {
        self.automaticCaptionLanguages = automaticCaptionLanguages
        self.fields = fields
        self.photo = photo
        self.externalID = externalID
        self.imagePath = imagePath
        self.contentHash = contentHash
        self.captions = captions
    }
}

/// An item's photo facts as stored (migration 0007): the capture instant in seconds since 1970 UTC with the
/// offset the camera wrote, and the upright pixel size.
public struct ItemPhotoFacts: Sendable, Equatable {
    public var takenAt: Double?
    public var utcOffset: String?
    public var width: Int
    public var height: Int

    public init(takenAt: Double?, utcOffset: String?, width: Int, height: Int) {
        self.takenAt = takenAt
        self.utcOffset = utcOffset
        self.width = width
        self.height = height
    }

    /// The facts of an `items` row (nil when the row has none).
    static func read(_ row: Row) throws -> ItemPhotoFacts? {
        guard let width: Int = try row.decode(forColumn: "photo_width"),
            let height: Int = try row.decode(forColumn: "photo_height")
        else { return nil }
        return ItemPhotoFacts(
            takenAt: try row.decode(forColumn: "photo_taken_at"),
            utcOffset: try row.decode(forColumn: "photo_utc_offset"),
            width: width, height: height)
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

extension ItemRecord {
    /// The record with `automaticCaptionLanguages` set (the initialiser keeps its long-standing shape).
    func with(automaticCaptionLanguages languages: Set<String>) -> ItemRecord {
        var record = self
        record.automaticCaptionLanguages = languages
        return record
    }
}
