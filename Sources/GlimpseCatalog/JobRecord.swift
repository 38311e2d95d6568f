import Foundation

/// One durable unit of background work (an ingest batch), as stored in the `jobs` table.
public struct JobRecord: Sendable, Equatable {
    public enum State: String, Sendable, CaseIterable, Codable {
        case queued, running, done, failed
    }

    public var id: Int64
    public var kind: String
    public var state: State
    /// Number of items in the job.
    public var total: Int
    /// What the worker needs to do the job (for ingests, the JSON-encoded batch).
    public var payload: Data
    public var progress: JobProgress
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: Int64, kind: String, state: State, total: Int, payload: Data, progress: JobProgress, createdAt: Date,
        updatedAt: Date
    ) {
        self.id = id
        self.kind = kind
        self.state = state
        self.total = total
        self.payload = payload
        self.progress = progress
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// How far a job got. `done` counts items handled successfully (`inserted + updated + unchanged`); `failed` those
/// that were not, each with an entry in `errors`. A resumed job continues at item `done + failed`.
public struct JobProgress: Codable, Sendable, Equatable {
    public var done: Int
    public var failed: Int
    public var inserted: Int
    public var updated: Int
    public var unchanged: Int
    public var errors: [JobItemError]

    public init(
        done: Int = 0, failed: Int = 0, inserted: Int = 0, updated: Int = 0, unchanged: Int = 0,
        errors: [JobItemError] = []
    ) {
        self.done = done
        self.failed = failed
        self.inserted = inserted
        self.updated = updated
        self.unchanged = unchanged
        self.errors = errors
    }
}

/// Why one item of a job failed.
public struct JobItemError: Codable, Sendable, Equatable {
    /// Position of the item in the job's batch.
    public var index: Int
    public var externalID: String?
    public var message: String

    public init(index: Int, externalID: String?, message: String) {
        self.index = index
        self.externalID = externalID
        self.message = message
    }

    enum CodingKeys: String, CodingKey {
        case index, message
        case externalID = "external_id"
    }
}
