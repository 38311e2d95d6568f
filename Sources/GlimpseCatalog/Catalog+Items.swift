import Foundation
import GRDB

extension Catalog {
    public func item(externalID: String) throws -> ItemRecord? {
        try Self.requireStorableText(externalID, field: "external id")
        return try pool.read { db in
            guard
                let row = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT items.*,
                            (SELECT count(*) FROM vectors WHERE item_id = items.id AND tombstoned_at IS NULL) AS live
                        FROM items WHERE external_id = ?
                        """,
                    arguments: [externalID])
            else { return nil }
            let id = try row.decode(Int64.self, forColumn: "id")
            return ItemRecord(
                externalID: externalID, imagePath: try row.decode(forColumn: "image_path"),
                contentHash: try row.decode(forColumn: "content_hash"),
                captions: try Self.captions(db, itemIDs: [id])[id] ?? [:],
                liveVectorCount: try row.decode(forColumn: "live"), createdAt: try row.decode(forColumn: "created_at"),
                updatedAt: try row.decode(forColumn: "updated_at"),
                fields: try Self.fields(db, itemIDs: [id])[id] ?? [:], photo: try ItemPhotoFacts.read(row)
            ).with(automaticCaptionLanguages: try Self.automaticCaptionLanguages(db, itemIDs: [id])[id] ?? [])
        }
    }

    /// Stores an item, its captions and its vectors in one transaction.
    ///
    /// A new external id is inserted. An existing one with the same content hash is left alone (`.unchanged`, the
    /// vectors are ignored). An existing one with another hash gets the new image path, hash and captions; its live
    /// vectors are tombstoned and `vectors` inserted (`.updated`).
    public func upsertItem(_ item: NewItem, vectors: [NewVector]) throws -> UpsertOutcome {
        try Self.requireStorableText(item.externalID, field: "external id")
        try Self.requireStorableText(item.imagePath, field: "image path")
        for (language, text) in item.captions {
            try Self.requireStorableText(language, field: "caption language")
            try Self.requireStorableText(text, field: "caption \(language)")
        }
        let blobs = try vectors.enumerated().map { index, vector in try Self.validatedBlob(vector, index: index) }
        defer { languageSumsMayHaveChanged() }
        return try pool.write { db in
            var sums = LanguageSumChanges()
            let now = Date()
            let existing = try Row.fetchOne(
                db, sql: "SELECT id, content_hash FROM items WHERE external_id = ?", arguments: [item.externalID])
            let itemID: Int64
            var tombstoned: [Int64] = []
            if let existing {
                guard try existing.decode(String.self, forColumn: "content_hash") != item.contentHash else {
                    return .unchanged
                }
                itemID = try existing.decode(forColumn: "id")
                try db.execute(
                    sql: "UPDATE items SET image_path = ?, content_hash = ?, updated_at = ? WHERE id = ?",
                    arguments: [item.imagePath, item.contentHash, now, itemID])
                try db.execute(sql: "DELETE FROM captions WHERE item_id = ?", arguments: [itemID])
                tombstoned = try Self.tombstoneLiveVectors(db, itemID: itemID, at: now, sums: &sums)
            } else {
                try db.execute(
                    sql: """
                        INSERT INTO items (external_id, image_path, content_hash, created_at, updated_at)
                        VALUES (?, ?, ?, ?, ?)
                        """,
                    arguments: [item.externalID, item.imagePath, item.contentHash, now, now])
                itemID = db.lastInsertedRowID
            }
            try Self.writeFields(db, itemID: itemID, fields: item.fields)
            try db.execute(
                sql: """
                    UPDATE items SET photo_taken_at = ?, photo_utc_offset = ?, photo_width = ?, photo_height = ?
                    WHERE id = ?
                    """,
                arguments: [item.photo?.takenAt, item.photo?.utcOffset, item.photo?.width, item.photo?.height, itemID])
            for (language, text) in item.captions {
                try db.execute(
                    sql: "INSERT INTO captions (item_id, language, text, source) VALUES (?, ?, ?, ?)",
                    arguments: [
                        itemID, language, text, item.automaticCaptionLanguages.contains(language) ? "auto" : "given",
                    ])
            }
            let ids = try Self.insertVectors(db, itemID: itemID, vectors: vectors, blobs: blobs, at: now, sums: &sums)
            try sums.write(db)
            return existing == nil ? .inserted(ids: ids) : .updated(ids: ids, tombstoned: tombstoned)
        }
    }

    /// Removes an item and its captions, tombstoning its live vectors (returned, ascending) so indexes can drop
    /// them; nil when no item has this external id. The vector rows stay, tombstoned and ownerless, so their ids
    /// are never reused and a rebuild still knows they are dead.
    public func deleteItem(externalID: String) throws -> [Int64]? {
        try Self.requireStorableText(externalID, field: "external id")
        defer { languageSumsMayHaveChanged() }
        return try pool.write { db in
            guard
                let itemID = try Int64.fetchOne(
                    db, sql: "SELECT id FROM items WHERE external_id = ?", arguments: [externalID])
            else { return nil }
            var sums = LanguageSumChanges()
            let tombstoned = try Self.tombstoneLiveVectors(db, itemID: itemID, at: Date(), sums: &sums)
            try sums.write(db)
            try db.execute(sql: "DELETE FROM items WHERE id = ?", arguments: [itemID])
            return tombstoned
        }
    }

    /// Captions of the given items, by item id then language.
    static func captions(_ db: Database, itemIDs: some Collection<Int64>) throws -> [Int64: [String: String]] {
        var captions: [Int64: [String: String]] = [:]
        guard !itemIDs.isEmpty else { return captions }
        let rows = try Row.fetchCursor(
            db, sql: "SELECT item_id, language, text FROM captions WHERE item_id IN \(placeholders(itemIDs.count))",
            arguments: StatementArguments(itemIDs))
        while let row = try rows.next() {
            let itemID = try row.decode(Int64.self, atIndex: 0)
            captions[itemID, default: [:]][try row.decode(String.self, atIndex: 1)] = try row.decode(atIndex: 2)
        }
        return captions
    }

    /// The languages of the given items' automatic captions (source 'auto'), by item id; items without any are absent.
    static func automaticCaptionLanguages(_ db: Database, itemIDs: some Collection<Int64>) throws -> [Int64: Set<
        String
    >] {
        var languages: [Int64: Set<String>] = [:]
        guard !itemIDs.isEmpty else { return languages }
        let rows = try Row.fetchCursor(
            db,
            sql:
                "SELECT item_id, language FROM captions WHERE source = 'auto' AND item_id IN \(placeholders(itemIDs.count))",
            arguments: StatementArguments(itemIDs))
        while let row = try rows.next() {
            languages[try row.decode(Int64.self, atIndex: 0), default: []].insert(
                try row.decode(String.self, atIndex: 1))
        }
        return languages
    }

    /// "(?, ?, …)" with `count` placeholders.
    /// Inserts an item's vector rows (blobs already validated) and adds its caption vectors to the language sums;
    /// returns the new rows' ids in order.
    static func insertVectors(
        _ db: Database, itemID: Int64, vectors: [NewVector], blobs: [Data], at now: Date, sums: inout LanguageSumChanges
    ) throws -> [Int64] {
        var ids: [Int64] = []
        ids.reserveCapacity(vectors.count)
        for (vector, blob) in zip(vectors, blobs) {
            try db.execute(
                sql: """
                    INSERT INTO vectors (item_id, space, source, caption_language, dimension, vector, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    itemID, vector.space, vector.source.rawValue, vector.captionLanguage, vector.vector.count, blob,
                    now,
                ])
            ids.append(db.lastInsertedRowID)
            if vector.source == .caption, let language = vector.captionLanguage {
                sums.add(space: vector.space, language: language, vector: vector.vector)
            }
        }
        return ids
    }

    static func placeholders(_ count: Int) -> String {
        "(" + Array(repeating: "?", count: count).joined(separator: ", ") + ")"
    }

    /// Tombstones the item's live vectors, counting them out of `sums` (the caller writes `sums`).
    static func tombstoneLiveVectors(
        _ db: Database, itemID: Int64, at time: Date, sums: inout LanguageSumChanges
    ) throws -> [Int64] {
        let ids = try Int64.fetchAll(
            db, sql: "SELECT id FROM vectors WHERE item_id = ? AND tombstoned_at IS NULL ORDER BY id",
            arguments: [itemID])
        try sums.subtractLive(db, ids: ids)
        try db.execute(
            sql: "UPDATE vectors SET tombstoned_at = ? WHERE item_id = ? AND tombstoned_at IS NULL",
            arguments: [time, itemID])
        return ids
    }

    /// The checks every stored vector passes (the ingest path and the bulk path alike), then its blob.
    static func validatedBlob(_ vector: NewVector, index: Int) throws -> Data {
        guard !vector.space.isEmpty else {
            throw CatalogError.invalidVector(index: index, reason: "its space name is empty")
        }
        guard !vector.vector.isEmpty else {
            throw CatalogError.invalidVector(index: index, reason: "it has no values")
        }
        guard vector.vector.allSatisfy(\.isFinite) else {
            throw CatalogError.invalidVector(index: index, reason: "it has NaN or infinite values")
        }
        switch (vector.source, vector.captionLanguage) {
        case (.caption, nil):
            throw CatalogError.invalidVector(index: index, reason: "a caption vector needs its caption language")
        case (.image, .some):
            throw CatalogError.invalidVector(index: index, reason: "an image vector has no caption language")
        default:
            return VectorBlob.encode(vector.vector)
        }
    }
}
