import Foundation
import GRDB
import Synchronization

/// The SQLite source of truth: items, captions, vectors and the ingest job queue.
///
/// Opening runs the migrations in `migrations/` that the file has not had yet. The database is in WAL mode (readers
/// never block the writer) with `synchronous = FULL`, so a committed write survives power loss, not just a crash.
/// Every method is synchronous and thread-safe: GRDB's pool serialises writes and runs reads concurrently.
public final class Catalog: Sendable {
    public let path: String
    let pool: DatabasePool
    private let migrationNames: [String]
    /// See `languageSumsGeneration` and `vectorsRead`.
    let sumsGeneration = Atomic<Int>(0)
    let decodedVectors = Atomic<Int>(0)

    public convenience init(_ configuration: CatalogConfiguration) throws {
        try self.init(configuration, migrations: Migration.all)
    }

    /// Opens with a given migration list; tests use it to check ordering, rollback and unknown migrations.
    init(_ configuration: CatalogConfiguration, migrations: [Migration]) throws {
        path = configuration.path
        migrationNames = migrations.map(\.name)
        var config = Configuration()
        config.label = "GlimpseCatalog"
        config.foreignKeysEnabled = true
        let timeout = configuration.busyTimeout.components
        config.busyMode = .timeout(Double(timeout.seconds) + Double(timeout.attoseconds) / 1e18)
        do {
            pool = try DatabasePool(path: configuration.path, configuration: config)
            // GRDB sets synchronous = NORMAL on the writer when it enables WAL; NORMAL can lose the last commits
            // on power loss, and an accepted ingest must be durable.
            try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        } catch {
            throw CatalogError.cannotOpen(path: configuration.path, reason: "\(error)")
        }
        try Self.migrate(pool, path: configuration.path, migrations: migrations)
    }

    private static func migrate(_ pool: DatabasePool, path: String, migrations: [Migration]) throws {
        let migrator = Migration.migrator(migrations)
        let known = Set(migrations.map(\.name))
        let applied: Set<String>
        do {
            applied = try pool.read { db in try migrator.appliedIdentifiers(db) }
        } catch {
            throw CatalogError.cannotOpen(path: path, reason: "cannot read the applied migrations: \(error)")
        }
        // GRDB would silently ignore migrations it does not know; running an old build on a newer schema must not.
        let unknown = applied.subtracting(known)
        guard unknown.isEmpty else {
            throw CatalogError.newerSchema(path: path, unknownMigrations: unknown.sorted())
        }
        do {
            try migrator.migrate(pool)
        } catch let error as CatalogError {
            throw error
        } catch {
            let appliedNow = (try? pool.read { db in try migrator.appliedIdentifiers(db) }) ?? applied
            let failed = migrations.first { !appliedNow.contains($0.name) }?.name ?? "(unknown)"
            throw CatalogError.migrationFailed(name: failed, reason: "\(error)")
        }
    }

    /// Names of the migrations recorded as applied in this database, in the order they are applied.
    public func appliedMigrations() throws -> [String] {
        let applied = try pool.read { db in try Set(String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations"))
        }
        return migrationNames.filter(applied.contains)
    }
}
