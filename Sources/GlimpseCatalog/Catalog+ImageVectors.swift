import Foundation
import GRDB

/// A live image vector with its item's image path: a unit of re-embedding in a space that embeds images.
public struct ImageVectorSource: Sendable, Equatable {
    public var vectorID: Int64
    public var imagePath: String
}

extension Catalog {
    /// Live image vectors of `space` with `after < id <= through`, ascending, with their items' image paths.
    public func liveImageVectors(space: String, after: Int64, through: Int64, limit: Int) throws -> [ImageVectorSource]
    {
        try pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT vectors.id, items.image_path FROM vectors JOIN items ON items.id = vectors.item_id
                    WHERE vectors.space = ? AND vectors.source = 'image' AND vectors.tombstoned_at IS NULL
                        AND vectors.id > ? AND vectors.id <= ?
                    ORDER BY vectors.id LIMIT ?
                    """,
                arguments: [space, after, through, limit]
            ).map { row in
                ImageVectorSource(vectorID: try row.decode(atIndex: 0), imagePath: try row.decode(atIndex: 1))
            }
        }
    }

    /// Tombstones live vectors (an image that can no longer be embedded again); returns those it tombstoned.
    public func tombstoneVectors(_ ids: [Int64]) throws -> [Int64] {
        guard !ids.isEmpty else { return [] }
        defer { languageSumsMayHaveChanged() }
        return try pool.write { db in
            let now = Date()
            var done: [Int64] = []
            var sums = LanguageSumChanges()
            try sums.subtractLive(db, ids: Set(ids))
            for id in ids {
                try db.execute(
                    sql: "UPDATE vectors SET tombstoned_at = ? WHERE id = ? AND tombstoned_at IS NULL",
                    arguments: [now, id])
                if db.changesCount > 0 { done.append(id) }
            }
            try sums.write(db)
            return done
        }
    }
}
