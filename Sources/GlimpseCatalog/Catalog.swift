import Foundation
import GRDB
import Synchronization

/// The SQLite source of truth: items, captions, vectors and the ingest job queue.
///
/// Opening runs the migrations in `migrations/` that the file has not had yet. The database is in WAL mode (readers
/// never block the writer) with `synchronous = FULL`, so a committed write survives power loss, not just a crash;
/// the WAL file is kept small (`Catalog+WAL.swift`).
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
        // Bound the WAL file (see Catalog+WAL.swift); both pragmas are per connection.
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA journal_size_limit = \(Catalog.walSizeLimitBytes)")
            try db.execute(sql: "PRAGMA wal_autocheckpoint = \(Catalog.walAutocheckpointPages)")
        }
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

    /// GRDB binds a Swift string to SQLite as a NUL-terminated C string, so "victim\u{0}x" would be stored, looked up
    /// and deleted as "victim": a text holding NUL is refused here, at the one boundary every item write crosses.
    static func requireStorableText(_ text: String, field: String) throws {
        if text.utf8.contains(0) { throw CatalogError.textHoldsNUL(field: field) }
    }

    /// `error` as `CatalogError.storageFull` when it says the disk or the database is full (SQLITE_FULL, which
    /// SQLite reports for ENOSPC too, or a POSIX ENOSPC from a file write), else nil.
    public static func storageFull(_ error: any Error) -> CatalogError? {
        switch error {
        case let error as CatalogError:
            if case .storageFull = error { return error }
            return nil
        case let error as DatabaseError where error.resultCode == .SQLITE_FULL:
            return .storageFull(reason: error.message ?? "database or disk is full")
        case let error as POSIXError where error.code == .ENOSPC:
            return .storageFull(reason: "no space left on device")
        default:
            let error = error as NSError
            if error.domain == NSPOSIXErrorDomain, error.code == Int(ENOSPC) {
                return .storageFull(reason: "no space left on device")
            }
            if let underlying = error.userInfo[NSUnderlyingErrorKey] as? NSError,
                underlying.domain == NSPOSIXErrorDomain, underlying.code == Int(ENOSPC)
            {
                return .storageFull(reason: "no space left on device")
            }
            return nil
        }
    }

    /// Caps the database at its current size plus `extraPages` pages (nil lifts the cap), so writes that need more
    /// fail with SQLITE_FULL as on a full disk: tests use it to exercise the storage-full paths without a
    /// filesystem to fill. Applies to the writer connection, which every write goes through.
    public func setSizeLimit(extraPages: Int?) throws {
        try pool.writeWithoutTransaction { db in
            if let extraPages {
                let pages = try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 0
                _ = try Int.fetchOne(db, sql: "PRAGMA max_page_count = \(pages + max(0, extraPages))")
            } else {
                _ = try Int.fetchOne(db, sql: "PRAGMA max_page_count = 4294967294")
            }
        }
    }
}
