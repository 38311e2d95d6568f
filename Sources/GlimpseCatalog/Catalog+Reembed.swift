import Foundation
import GRDB

/// A live caption vector with the caption text it was embedded from: a unit of re-embedding.
public struct CaptionVectorSource: Sendable, Equatable {
    public var vectorID: Int64
    public var captionLanguage: String
    public var text: String
}

/// A re-embedded vector that replaced an old one.
public struct VectorReplacement: Sendable, Equatable {
    public var oldID: Int64
    public var newID: Int64
}

extension Catalog {
    /// Live caption vectors of `space` with `after < id <= through`, ascending, with their captions' text.
    public func liveCaptionVectors(space: String, after: Int64, through: Int64, limit: Int) throws
        -> [CaptionVectorSource]
    {
        try pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT vectors.id, vectors.caption_language, captions.text FROM vectors
                    JOIN captions ON captions.item_id = vectors.item_id AND captions.language = vectors.caption_language
                    WHERE vectors.space = ? AND vectors.source = 'caption' AND vectors.tombstoned_at IS NULL
                        AND vectors.id > ? AND vectors.id <= ?
                    ORDER BY vectors.id LIMIT ?
                    """,
                arguments: [space, after, through, limit]
            ).map { row in
                CaptionVectorSource(
                    vectorID: try row.decode(atIndex: 0), captionLanguage: try row.decode(atIndex: 1),
                    text: try row.decode(atIndex: 2))
            }
        }
    }

    /// In one transaction: for each old vector still live, inserts its replacement (same item, space and caption
    /// language) and tombstones the old one. Old vectors deleted or replaced meanwhile are skipped, so a re-embed
    /// never revives what a delete removed. Returns the replacements made, ascending.
    public func replaceVectors(_ replacements: [(oldID: Int64, vector: [Float])]) throws -> [VectorReplacement] {
        for (index, replacement) in replacements.enumerated()
        where replacement.vector.isEmpty || !replacement.vector.allSatisfy(\.isFinite) {
            throw CatalogError.invalidVector(index: index, reason: "it is empty or has NaN or infinite values")
        }
        defer { languageSumsMayHaveChanged() }
        return try pool.write { db in
            let now = Date()
            var made: [VectorReplacement] = []
            var sums = LanguageSumChanges()
            for (oldID, vector) in replacements {
                guard
                    let old = try Row.fetchOne(
                        db,
                        sql:
                            "SELECT item_id, space, source, caption_language FROM vectors WHERE id = ? AND tombstoned_at IS NULL AND item_id IS NOT NULL",
                        arguments: [oldID])
                else { continue }
                try db.execute(
                    sql: """
                        INSERT INTO vectors (item_id, space, source, caption_language, dimension, vector, created_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        old["item_id"] as Int64?, old["space"] as String?, old["source"] as String?,
                        old["caption_language"] as String?, vector.count, VectorBlob.encode(vector), now,
                    ])
                let newID = db.lastInsertedRowID
                try sums.subtractLive(db, ids: [oldID])
                if let space = old["space"] as String?, let language = old["caption_language"] as String? {
                    sums.add(space: space, language: language, vector: vector)
                }
                try db.execute(sql: "UPDATE vectors SET tombstoned_at = ? WHERE id = ?", arguments: [now, oldID])
                made.append(VectorReplacement(oldID: oldID, newID: newID))
            }
            try sums.write(db)
            return made
        }
    }
}
