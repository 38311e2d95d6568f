import Foundation
import GRDB

/// What a snapshot records about the catalog it was made from: which catalog, and which vector rows of one space
/// it held up to the snapshot's watermark. Rows are never deleted (a replaced or deleted vector is tombstoned), so
/// for one catalog the rows through a watermark never change; another count or checksum means another catalog
/// state, such as an older backup restored under a newer snapshot.
public struct CatalogVectorStamp: Sendable, Equatable, Codable {
    public var vectorCount: Int
    /// Order-independent: the sum of the ids and of their squares modulo a prime, as "sum:squares".
    public var vectorChecksum: String

    public init(vectorCount: Int, vectorChecksum: String) {
        self.vectorCount = vectorCount
        self.vectorChecksum = vectorChecksum
    }
}

extension Catalog {
    /// The random id migration 0006 gave this catalog.
    public func identity() throws -> String {
        try pool.read { db in
            guard let id = try String.fetchOne(db, sql: "SELECT value FROM catalog_meta WHERE key = 'catalog_id'")
            else { throw CatalogError.cannotOpen(path: path, reason: "the catalog has no catalog_id") }
            return id
        }
    }

    /// The count and checksum of the space's vector rows (live or tombstoned) with ids up to `through`. Two
    /// aggregate queries over the partial (space, id) indexes: no vector blob is read.
    public func vectorStamp(space: String, through: Int64) throws -> CatalogVectorStamp {
        try pool.read { db in
            var count = 0
            var sum: Int64 = 0
            var squares: Int64 = 0
            for condition in ["tombstoned_at IS NULL", "tombstoned_at IS NOT NULL"] {
                // Squares are taken modulo 2^31 - 1, so each term and the sum of a billion of them fit in 64 bits.
                let row = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT count(*) AS n, coalesce(sum(id), 0) AS s,
                            coalesce(sum(((id % 2147483647) * (id % 2147483647)) % 2147483647), 0) AS q
                        FROM vectors WHERE space = ? AND id <= ? AND \(condition)
                        """,
                    arguments: [space, through])!
                count += try row.decode(Int.self, forColumn: "n")
                sum &+= try row.decode(Int64.self, forColumn: "s")
                squares &+= try row.decode(Int64.self, forColumn: "q")
            }
            return CatalogVectorStamp(vectorCount: count, vectorChecksum: "\(sum):\(squares)")
        }
    }
}
