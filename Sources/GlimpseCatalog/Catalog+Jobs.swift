import Foundation
import GRDB

/// The durable job queue: jobs are committed before the request that created them is answered, claimed one at a
/// time oldest first, and a job a crash left `running` goes back to the queue at the next start.
extension Catalog {
    public func enqueueJob(kind: String, payload: Data, total: Int) throws -> Int64 {
        try pool.write { db in try Self.insertJob(db, kind: kind, payload: payload, total: total) }
    }

    static func insertJob(_ db: Database, kind: String, payload: Data, total: Int) throws -> Int64 {
        let progress = try Self.encode(JobProgress())
        let now = Date()
        try db.execute(
            sql: """
                INSERT INTO jobs (kind, state, total, payload, progress, created_at, updated_at)
                VALUES (?, 'queued', ?, X'', ?, ?, ?)
                """,
            arguments: [kind, total, progress, now, now])
        let id = db.lastInsertedRowID
        try db.execute(sql: "INSERT INTO job_payloads (job_id, payload) VALUES (?, ?)", arguments: [id, payload])
        return id
    }

    public func job(id: Int64) throws -> JobRecord? {
        try pool.read { db in
            try Row.fetchOne(db, sql: "\(Self.jobSelect) WHERE id = ?", arguments: [id]).map(Self.jobRecord)
        }
    }

    /// Jobs of `kind` that are queued or running, oldest first.
    public func pendingJobs(kind: String) throws -> [JobRecord] {
        try pool.read { db in
            try Row.fetchAll(
                db, sql: "\(Self.jobSelect) WHERE kind = ? AND state IN ('queued', 'running') ORDER BY id",
                arguments: [kind]
            ).map(Self.jobRecord)
        }
    }

    /// Moves the oldest queued job to `running` and returns it; nil when none is queued.
    public func claimNextJob() throws -> JobRecord? {
        try pool.write { db in
            // Write transactions are IMMEDIATE, so no other connection can claim the same job in between.
            guard let row = try Row.fetchOne(db, sql: "\(Self.jobSelect) WHERE state = 'queued' ORDER BY id LIMIT 1")
            else { return nil }
            let id = try row.decode(Int64.self, forColumn: "id")
            try db.execute(
                sql: "UPDATE jobs SET state = 'running', updated_at = ? WHERE id = ?", arguments: [Date(), id])
            // Read back so the record is exactly what `job(id:)` returns (timestamps at stored precision).
            return try Row.fetchOne(db, sql: "\(Self.jobSelect) WHERE id = ?", arguments: [id]).map(Self.jobRecord)
        }
    }

    /// A rebuild learns how much work it has only when it starts: the catalog may have grown since it was queued.
    public func setJobTotal(id: Int64, total: Int) throws {
        try pool.write { db in
            try db.execute(
                sql: "UPDATE jobs SET total = ?, updated_at = ? WHERE id = ?", arguments: [total, Date(), id])
            guard db.changesCount == 1 else { throw CatalogError.jobNotFound(id: id) }
        }
    }

    public func updateJobProgress(id: Int64, progress: JobProgress) throws {
        let encoded = try Self.encode(progress)
        try pool.write { db in
            try db.execute(
                sql: "UPDATE jobs SET progress = ?, updated_at = ? WHERE id = ?", arguments: [encoded, Date(), id])
            guard db.changesCount > 0 else { throw CatalogError.jobNotFound(id: id) }
        }
    }

    /// Records the final progress. The job ends `failed` only when it had items and every one of them failed
    /// (or its payload was unreadable), or when `failed` says it was cut short (a full disk); otherwise it ends
    /// `done`, its failures listed in `errors`.
    public func finishJob(id: Int64, progress: JobProgress, failed: Bool = false) throws {
        let encoded = try Self.encode(progress)
        let state: JobRecord.State = failed || (progress.done == 0 && progress.failed > 0) ? .failed : .done
        try pool.write { db in
            try db.execute(
                sql: "UPDATE jobs SET state = ?, progress = ?, updated_at = ? WHERE id = ?",
                arguments: [state.rawValue, encoded, Date(), id])
            guard db.changesCount > 0 else { throw CatalogError.jobNotFound(id: id) }
        }
    }

    /// Every queued job, oldest first (the worker fails them when the disk is too full to claim one).
    public func queuedJobs() throws -> [JobRecord] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "\(Self.jobSelect) WHERE state = 'queued' ORDER BY id").map(Self.jobRecord)
        }
    }

    /// Puts jobs left `running` by a previous process back in the queue; returns how many. Call once at start-up,
    /// before any worker runs: a job in progress in this process would be re-queued too.
    public func requeueRunningJobs() throws -> Int {
        try pool.write { db in
            try db.execute(
                sql: "UPDATE jobs SET state = 'queued', updated_at = ? WHERE state = 'running'", arguments: [Date()])
            return db.changesCount
        }
    }

    /// A job row with its payload from `job_payloads` (migration 0006 moved it there; see that file for why).
    private static let jobSelect = """
        SELECT jobs.id, kind, state, total, progress, created_at, updated_at,
            coalesce(job_payloads.payload, jobs.payload) AS payload
        FROM jobs LEFT JOIN job_payloads ON job_payloads.job_id = jobs.id
        """

    private static func jobRecord(_ row: Row) throws -> JobRecord {
        let id = try row.decode(Int64.self, forColumn: "id")
        do {
            let stateText = try row.decode(String.self, forColumn: "state")
            guard let state = JobRecord.State(rawValue: stateText) else {
                throw CatalogError.corruptJob(id: id, reason: "unknown state \(stateText)")
            }
            let progressJSON = try row.decode(String.self, forColumn: "progress")
            let progress = try JSONDecoder().decode(JobProgress.self, from: Data(progressJSON.utf8))
            return JobRecord(
                id: id, kind: try row.decode(forColumn: "kind"), state: state,
                total: try row.decode(forColumn: "total"),
                payload: try row.decode(forColumn: "payload"), progress: progress,
                createdAt: try row.decode(forColumn: "created_at"), updatedAt: try row.decode(forColumn: "updated_at"))
        } catch let error as CatalogError {
            throw error
        } catch {
            throw CatalogError.corruptJob(id: id, reason: "\(error)")
        }
    }

    private static func encode(_ progress: JobProgress) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: try encoder.encode(progress), as: UTF8.self)
    }
}
