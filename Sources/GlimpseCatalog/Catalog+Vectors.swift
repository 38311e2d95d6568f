import Foundation
import GRDB

extension Catalog {
    /// Live vectors of `space` with id > `after`, ascending, at most `limit`: a page of index replay.
    public func vectors(space: String, after: Int64, limit: Int) throws -> [StoredVector] {
        guard limit > 0 else { return [] }
        return try pool.read { db in
            let rows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT id, dimension, vector FROM vectors
                    WHERE space = ? AND tombstoned_at IS NULL AND id > ?
                    ORDER BY id LIMIT ?
                    """,
                arguments: [space, after, limit])
            var page: [StoredVector] = []
            while let row = try rows.next() {
                let dimension = try row.decode(Int.self, atIndex: 1)
                let vector = try row.withUnsafeData(atIndex: 2) { blob in
                    blob.flatMap { VectorBlob.decode($0, dimension: dimension) } ?? []
                }
                page.append(StoredVector(id: try row.decode(atIndex: 0), vector: vector))
            }
            countVectorsRead(page.count)
            return page
        }
    }

    /// Ids of the tombstoned vectors of `space`: the index keeps their points, so searches must exclude them.
    public func tombstonedVectorIDs(space: String) throws -> Set<Int64> {
        try pool.read { db in
            try Int64.fetchSet(
                db, sql: "SELECT id FROM vectors WHERE space = ? AND tombstoned_at IS NOT NULL", arguments: [space])
        }
    }

    /// The owners of the given vector ids, in two queries per 500 ids. Ids with no vector row, or whose item was
    /// deleted, are absent from the result. `includingVectors` also reads each hit's vector (`VectorOwner.vector`)
    /// in the same query, for scores that need more than the index's inner product (per-language centring).
    public func hits(vectorIDs: [Int64], includingVectors: Bool = false) throws -> [Int64: VectorOwner] {
        let unique = Array(Set(vectorIDs))
        guard !unique.isEmpty else { return [:] }
        return try pool.read { db in
            var owners: [Int64: VectorOwner] = [:]
            for chunk in Self.chunked(unique) {
                let rows = try Row.fetchAll(
                    db,
                    sql: """
                        SELECT vectors.id, vectors.source, vectors.caption_language,
                            vectors.tombstoned_at IS NOT NULL, items.id, items.external_id, items.image_path,
                            vectors.dimension, \(includingVectors ? "vectors.vector" : "NULL")
                        FROM vectors JOIN items ON items.id = vectors.item_id
                        WHERE vectors.id IN \(Self.placeholders(chunk.count))
                        """,
                    arguments: StatementArguments(chunk))
                let itemIDs = Set(try rows.map { try $0.decode(Int64.self, atIndex: 4) })
                let captions = try Self.captions(db, itemIDs: itemIDs)
                let automatic = try Self.automaticCaptionLanguages(db, itemIDs: itemIDs)
                for row in rows {
                    let itemID = try row.decode(Int64.self, atIndex: 4)
                    let sourceText = try row.decode(String.self, atIndex: 1)
                    guard let source = VectorSource(rawValue: sourceText) else { continue }
                    let dimension = try row.decode(Int.self, atIndex: 7)
                    let vector = try row.withUnsafeData(atIndex: 8) { blob in
                        blob.flatMap { VectorBlob.decode($0, dimension: dimension) }
                    }
                    owners[try row.decode(atIndex: 0)] = VectorOwner(
                        externalID: try row.decode(atIndex: 5), imagePath: try row.decode(atIndex: 6),
                        captions: captions[itemID] ?? [:], source: source, captionLanguage: try row.decode(atIndex: 2),
                        tombstoned: try row.decode(atIndex: 3), vector: vector)
                    owners[try row.decode(atIndex: 0)]?.automaticCaptionLanguages = automatic[itemID] ?? []
                }
                if includingVectors { countVectorsRead(rows.count) }
            }
            return owners
        }
    }

    /// `ids` in slices of at most 500, one `IN (…)` query each.
    static func chunked(_ ids: [Int64]) -> [ArraySlice<Int64>] {
        stride(from: 0, to: ids.count, by: 500).map { ids[$0..<min($0 + 500, ids.count)] }
    }

    public func counts() throws -> CatalogCounts {
        try pool.read { db in
            guard
                let row = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT (SELECT count(*) FROM items), (SELECT count(*) FROM captions),
                            (SELECT count(*) FROM vectors WHERE tombstoned_at IS NULL),
                            (SELECT count(*) FROM vectors WHERE tombstoned_at IS NOT NULL)
                        """)
            else { return CatalogCounts(items: 0, captions: 0, liveVectors: 0, tombstonedVectors: 0, jobs: [:]) }
            var jobs = Dictionary(uniqueKeysWithValues: JobRecord.State.allCases.map { ($0.rawValue, 0) })
            let byState = try Row.fetchAll(db, sql: "SELECT state, count(*) FROM jobs GROUP BY state")
            for stateRow in byState {
                jobs[try stateRow.decode(String.self, atIndex: 0)] = try stateRow.decode(atIndex: 1)
            }
            return CatalogCounts(
                items: try row.decode(atIndex: 0), captions: try row.decode(atIndex: 1),
                liveVectors: try row.decode(atIndex: 2), tombstonedVectors: try row.decode(atIndex: 3), jobs: jobs)
        }
    }
}
