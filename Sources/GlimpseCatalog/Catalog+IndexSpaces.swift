import Foundation
import GRDB

/// The model that embedded a space's vectors: a different one makes every stored vector incomparable to queries.
public struct ModelIdentity: Sendable, Equatable, Codable {
    public var name: String
    public var dimension: Int
    /// For a model file: its size and SHA-256.
    public var fingerprint: String

    public init(name: String, dimension: Int, fingerprint: String) {
        self.name = name
        self.dimension = dimension
        self.fingerprint = fingerprint
    }
}

/// A space's row of `index_spaces`.
public struct IndexSpaceRecord: Sendable, Equatable {
    public var space: String
    public var model: ModelIdentity
    public var compactedAt: Date?

    public init(space: String, model: ModelIdentity, compactedAt: Date?) {
        self.space = space
        self.model = model
        self.compactedAt = compactedAt
    }
}

extension Catalog {
    public func indexSpace(_ space: String) throws -> IndexSpaceRecord? {
        try pool.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM index_spaces WHERE space = ?", arguments: [space])
            else { return nil }
            return IndexSpaceRecord(
                space: space,
                model: ModelIdentity(
                    name: try row.decode(forColumn: "model_name"),
                    dimension: try row.decode(forColumn: "model_dimension"),
                    fingerprint: try row.decode(forColumn: "model_fingerprint")),
                compactedAt: try row.decode(forColumn: "compacted_at"))
        }
    }

    /// Records the model the space's live vectors were embedded with (after a re-embed, or on first use).
    public func setModelIdentity(_ model: ModelIdentity, space: String) throws {
        try pool.write { db in
            try db.execute(
                sql: """
                    INSERT INTO index_spaces (space, model_name, model_dimension, model_fingerprint) VALUES (?, ?, ?, ?)
                    ON CONFLICT(space) DO UPDATE SET model_name = excluded.model_name,
                        model_dimension = excluded.model_dimension, model_fingerprint = excluded.model_fingerprint
                    """,
                arguments: [space, model.name, model.dimension, model.fingerprint])
        }
    }

    /// Records when the index lineage of `space` started from live vectors only. Call after its snapshot is written.
    public func setCompactedAt(_ date: Date, space: String) throws {
        try pool.write { db in
            try db.execute(sql: "UPDATE index_spaces SET compacted_at = ? WHERE space = ?", arguments: [date, space])
        }
    }

    /// Tombstoned vector ids of `space` up to `watermark` that an index compacted at `compactedAt` may still hold:
    /// those tombstoned since then (all of them when it was never compacted). Timestamps are compared at the
    /// catalog's millisecond precision, so one in the same millisecond counts: counting a vector the index does not
    /// hold only excludes an id no search finds anyway.
    public func tombstonedVectorIDs(space: String, through watermark: Int64, since compactedAt: Date?) throws -> Set<
        Int64
    > {
        try pool.read { db in
            guard let compactedAt else {
                return try Int64.fetchSet(
                    db, sql: "SELECT id FROM vectors WHERE space = ? AND tombstoned_at IS NOT NULL AND id <= ?",
                    arguments: [space, watermark])
            }
            return try Int64.fetchSet(
                db,
                sql:
                    "SELECT id FROM vectors WHERE space = ? AND tombstoned_at IS NOT NULL AND id <= ? AND tombstoned_at >= ?",
                arguments: [space, watermark, compactedAt])
        }
    }

    /// The highest vector id ever assigned (0 for none); vectors above it were embedded after this moment.
    public func maxVectorID() throws -> Int64 {
        try pool.read { db in try Int64.fetchOne(db, sql: "SELECT max(id) FROM vectors") ?? 0 }
    }

    /// Queues a job unless one of the same kind is already queued or running (checked in the same transaction);
    /// returns the new job's id, or nil when one was pending.
    public func enqueueJobUnlessPending(kind: String, payload: Data, total: Int) throws -> Int64? {
        try pool.write { db in
            let pending =
                try Int.fetchOne(
                    db, sql: "SELECT count(*) FROM jobs WHERE kind = ? AND state IN ('queued', 'running')",
                    arguments: [kind]) ?? 0
            guard pending == 0 else { return nil }
            return try Self.insertJob(db, kind: kind, payload: payload, total: total)
        }
    }
}
