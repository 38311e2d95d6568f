import Foundation
import GRDB

/// What an item's image file looked like when it was last ingested (migration 0009): its size and modification
/// time from stat(2), and a hash of the item as requested without the image bytes (path, captions, fields).
/// An ingest that finds all three equal skips the item without opening its file.
public struct ItemFileFacts: Sendable, Equatable {
    public var size: Int64
    /// Nanoseconds since 1970 (st_mtim): a second's resolution would miss a same-size edit within the second.
    public var modifiedNanoseconds: Int64
    public var requestHash: String

    public init(size: Int64, modifiedNanoseconds: Int64, requestHash: String) {
        self.size = size
        self.modifiedNanoseconds = modifiedNanoseconds
        self.requestHash = requestHash
    }
}

extension Catalog {
    /// The file facts recorded for an item; nil when the item does not exist or has none (stored before 0009).
    public func fileFacts(externalID: String) throws -> ItemFileFacts? {
        try Self.requireStorableText(externalID, field: "external id")
        return try pool.read { db in
            guard
                let row = try Row.fetchOne(
                    db, sql: "SELECT file_size, file_mtime_ns, file_request_hash FROM items WHERE external_id = ?",
                    arguments: [externalID]),
                let size: Int64 = row["file_size"], let modified: Int64 = row["file_mtime_ns"],
                let hash: String = row["file_request_hash"]
            else { return nil }
            return ItemFileFacts(size: size, modifiedNanoseconds: modified, requestHash: hash)
        }
    }

    /// Records the facts of the files items were just stored (or found unchanged) from, in one transaction per
    /// call (an ingest chunk's worth). Written after the items' own transactions: a crash in between leaves older
    /// facts, which only costs one more read of each file at the next ingest.
    public func recordFileFacts(_ facts: [(externalID: String, facts: ItemFileFacts)]) throws {
        guard !facts.isEmpty else { return }
        for entry in facts { try Self.requireStorableText(entry.externalID, field: "external id") }
        try pool.write { db in
            for entry in facts {
                try db.execute(
                    sql: """
                        UPDATE items SET file_size = ?, file_mtime_ns = ?, file_request_hash = ? WHERE external_id = ?
                        """,
                    arguments: [
                        entry.facts.size, entry.facts.modifiedNanoseconds, entry.facts.requestHash, entry.externalID,
                    ])
            }
        }
    }
}
