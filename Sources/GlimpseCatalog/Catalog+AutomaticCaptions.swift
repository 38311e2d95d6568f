import Foundation
import GRDB

/// An item whose captions are automatic (or which has none), with its image vector in the labeler's space: a unit
/// of refreshing automatic captions after a re-embed.
public struct AutomaticCaptionSubject: Sendable, Equatable {
    public var itemID: Int64
    public var imageVector: [Float]
    /// Its current automatic captions by language (empty when it has none yet).
    public var captions: [String: String]
}

extension Catalog {
    /// Items with id above `after`, ascending, that have no given caption and a live image vector in `space`.
    public func automaticCaptionSubjects(space: String, after: Int64, limit: Int) throws -> [AutomaticCaptionSubject] {
        try pool.read { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT items.id, vectors.dimension, vectors.vector FROM items
                    JOIN vectors ON vectors.item_id = items.id AND vectors.space = ? AND vectors.source = 'image'
                        AND vectors.tombstoned_at IS NULL
                    WHERE items.id > ?
                        AND NOT EXISTS (SELECT 1 FROM captions WHERE captions.item_id = items.id AND captions.source = 'given')
                    ORDER BY items.id LIMIT ?
                    """,
                arguments: [space, after, limit])
            let ids = try rows.map { try $0.decode(Int64.self, atIndex: 0) }
            let captions = try Self.captions(db, itemIDs: ids)
            return try rows.compactMap { row in
                let id = try row.decode(Int64.self, atIndex: 0)
                let dimension = try row.decode(Int.self, atIndex: 1)
                // A damaged blob cannot be labelled; the item keeps what it has.
                guard
                    let vector = try row.withUnsafeData(
                        atIndex: 2, { $0.flatMap { VectorBlob.decode($0, dimension: dimension) } })
                else { return nil }
                return AutomaticCaptionSubject(itemID: id, imageVector: vector, captions: captions[id] ?? [:])
            }
        }
    }

    /// In one transaction: replaces the automatic captions of an item that has no given caption, tombstoning its
    /// live caption vectors and inserting `vectors` (caption vectors of the new captions). Returns the new vector
    /// ids (in `vectors` order) and the tombstoned ones; nil, writing nothing, when the item is gone or has given
    /// captions by now (a re-ingest won the race: given captions are never replaced).
    public func replaceAutomaticCaptions(itemID: Int64, captions: [String: String], vectors: [NewVector]) throws
        -> (ids: [Int64], tombstoned: [Int64])?
    {
        for (language, text) in captions {
            try Self.requireStorableText(language, field: "caption language")
            try Self.requireStorableText(text, field: "caption \(language)")
        }
        let blobs = try vectors.enumerated().map { index, vector in try Self.validatedBlob(vector, index: index) }
        defer { languageSumsMayHaveChanged() }
        return try pool.write { db in
            guard try Int64.fetchOne(db, sql: "SELECT id FROM items WHERE id = ?", arguments: [itemID]) != nil,
                try Int64.fetchOne(
                    db, sql: "SELECT 1 FROM captions WHERE item_id = ? AND source = 'given' LIMIT 1",
                    arguments: [itemID]) == nil
            else { return nil }
            var sums = LanguageSumChanges()
            let now = Date()
            let old = try Int64.fetchAll(
                db,
                sql:
                    "SELECT id FROM vectors WHERE item_id = ? AND source = 'caption' AND tombstoned_at IS NULL ORDER BY id",
                arguments: [itemID])
            try sums.subtractLive(db, ids: old)
            try db.execute(
                sql:
                    "UPDATE vectors SET tombstoned_at = ? WHERE item_id = ? AND source = 'caption' AND tombstoned_at IS NULL",
                arguments: [now, itemID])
            try db.execute(sql: "DELETE FROM captions WHERE item_id = ?", arguments: [itemID])
            for (language, text) in captions {
                try db.execute(
                    sql: "INSERT INTO captions (item_id, language, text, source) VALUES (?, ?, ?, 'auto')",
                    arguments: [itemID, language, text])
            }
            let ids = try Self.insertVectors(db, itemID: itemID, vectors: vectors, blobs: blobs, at: now, sums: &sums)
            try db.execute(sql: "UPDATE items SET updated_at = ? WHERE id = ?", arguments: [now, itemID])
            try sums.write(db)
            return (ids, old)
        }
    }
}
