import Foundation
import GRDB

extension Catalog {
    /// BULK PATH FOR BENCHMARKS AND TOOLS, not for the daemon's ingest: inserts many new items, their captions and
    /// vectors in one transaction.
    ///
    /// `upsertItem` commits (and, with `synchronous = FULL`, fsyncs) once per item, which is right for acknowledged
    /// ingests and makes filling a catalog with 100k–1M synthetic items take hours; this path commits once per call.
    /// It does not compare content hashes, replace or tombstone anything: every external id must be new, and a
    /// duplicate fails the whole call with nothing written. Vectors are validated as `upsertItem` validates them.
    /// Returns the new vector ids, in the order of the items and of each item's vectors.
    @discardableResult
    public func bulkInsertNewItems(_ entries: [(item: NewItem, vectors: [NewVector])]) throws -> [Int64] {
        var blobs: [[Data]] = []
        blobs.reserveCapacity(entries.count)
        var index = 0
        for entry in entries {
            blobs.append(
                try entry.vectors.map { vector in
                    defer { index += 1 }
                    return try Self.validatedBlob(vector, index: index)
                })
        }
        // The language sums change in the same transaction as the vectors, as on the ingest path.
        defer { languageSumsMayHaveChanged() }
        return try pool.write { db in
            let now = Date()
            var sums = LanguageSumChanges()
            let insertItem = try db.makeStatement(
                sql:
                    "INSERT INTO items (external_id, image_path, content_hash, created_at, updated_at) VALUES (?, ?, ?, ?, ?)"
            )
            let insertCaption = try db.makeStatement(
                sql: "INSERT INTO captions (item_id, language, text) VALUES (?, ?, ?)")
            let insertVector = try db.makeStatement(
                sql: """
                    INSERT INTO vectors (item_id, space, source, caption_language, dimension, vector, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """)
            var ids: [Int64] = []
            for (entry, entryBlobs) in zip(entries, blobs) {
                let item = entry.item
                try insertItem.execute(arguments: [item.externalID, item.imagePath, item.contentHash, now, now])
                let itemID = db.lastInsertedRowID
                for (language, text) in item.captions.sorted(by: { $0.key < $1.key }) {
                    try insertCaption.execute(arguments: [itemID, language, text])
                }
                for (vector, blob) in zip(entry.vectors, entryBlobs) {
                    try insertVector.execute(arguments: [
                        itemID, vector.space, vector.source.rawValue, vector.captionLanguage, vector.vector.count, blob,
                        now,
                    ])
                    ids.append(db.lastInsertedRowID)
                    if vector.source == .caption, let language = vector.captionLanguage {
                        sums.add(space: vector.space, language: language, vector: vector.vector)
                    }
                }
            }
            try sums.write(db)
            return ids
        }
    }
}
