import Foundation
import GRDB
import GlimpseTestSupport
import Testing

@testable import GlimpseCatalog

@Suite struct MigrationTests {
    /// The repository's top-level migrations/ directory, found from this file (symlinks resolved, so a package
    /// that links this test directory in still finds the real one).
    private static var migrationsDirectory: URL {
        URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("migrations")
    }

    @Test func appliedMigrationsAreExactlyTheFilesOfTheMigrationsDirectoryInNumericOrder() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.migrationsDirectory.path)
            .filter { $0.hasSuffix(".sql") }
        #expect(!files.isEmpty, "no .sql files found in \(Self.migrationsDirectory.path)")
        let numbered = try files.map { file -> (number: Int, name: String) in
            let match = try #require(
                file.wholeMatch(of: /(\d{4})_[a-z0-9_]+\.sql/), "\(file) is not named NNNN_description.sql")
            return (try #require(Int(match.1)), String(file.dropLast(4)))
        }
        #expect(Set(numbered.map(\.number)).count == numbered.count, "two migration files share a number")
        let ordered = numbered.sorted { $0.number < $1.number }.map(\.name)
        #expect(Migration.all.map(\.name) == ordered)
        for migration in Migration.all {
            let file = Self.migrationsDirectory.appendingPathComponent("\(migration.name).sql")
            let text = try String(contentsOf: file, encoding: .utf8)
            #expect(migration.sql == text, "the embedded \(migration.name) differs from its file")
        }
    }

    @Test func openingANewDatabaseAppliesAndRecordsEveryMigration() throws {
        let directory = try ScratchDirectory("catalog")
        defer { directory.remove() }
        let catalog = try Catalog(CatalogConfiguration(path: directory.databasePath))
        #expect(try catalog.appliedMigrations() == Migration.all.map(\.name))
        let tables = try catalog.pool.read { db in
            try Set(String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'"))
        }
        #expect(tables.isSuperset(of: ["items", "captions", "vectors", "jobs"]))
    }

    @Test func migrationsRunInOrderAndReopeningRunsOnlyNewOnes() throws {
        let directory = try ScratchDirectory("catalog")
        defer { directory.remove() }
        let configuration = CatalogConfiguration(path: directory.databasePath)
        // Each migration appends its name; the second and third fail unless the table from the first exists.
        let first = [
            Migration(name: "0001_log", sql: "CREATE TABLE log (name TEXT NOT NULL);"),
            Migration(name: "0002_two", sql: "INSERT INTO log VALUES ('0002_two');"),
        ]
        let third = Migration(name: "0003_three", sql: "INSERT INTO log VALUES ('0003_three');")
        _ = try Catalog(configuration, migrations: first)
        _ = try Catalog(configuration, migrations: first)
        let catalog = try Catalog(configuration, migrations: first + [third])
        let log = try catalog.pool.read { db in try String.fetchAll(db, sql: "SELECT name FROM log ORDER BY rowid") }
        #expect(log == ["0002_two", "0003_three"])
        let recorded = try catalog.pool.read { db in
            try Set(String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations"))
        }
        #expect(recorded == ["0001_log", "0002_two", "0003_three"])
    }

    @Test func aFailingMigrationIsRolledBackAndNotRecorded() throws {
        let directory = try ScratchDirectory("catalog")
        defer { directory.remove() }
        let configuration = CatalogConfiguration(path: directory.databasePath)
        let migrations = [
            Migration(name: "0001_ok", sql: "CREATE TABLE ok (x);"),
            Migration(name: "0002_bad", sql: "CREATE TABLE half (x); INSERT INTO missing VALUES (1);"),
        ]
        #expect {
            _ = try Catalog(configuration, migrations: migrations)
        } throws: { error in
            guard case .migrationFailed(let name, _) = error as? CatalogError else { return false }
            return name == "0002_bad"
        }
        let catalog = try Catalog(configuration, migrations: Array(migrations.prefix(1)))
        let tables = try catalog.pool.read { db in
            try Set(String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'"))
        }
        #expect(tables.contains("ok"))
        #expect(!tables.contains("half"), "the failed migration's first statement was rolled back")
        let recorded = try catalog.pool.read { db in
            try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations")
        }
        #expect(recorded == ["0001_ok"])
    }

    @Test func aDatabaseMigratedByANewerVersionIsRefusedWithAClearError() throws {
        let directory = try ScratchDirectory("catalog")
        defer { directory.remove() }
        let configuration = CatalogConfiguration(path: directory.databasePath)
        do {
            let catalog = try Catalog(configuration)
            try catalog.pool.write { db in
                try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('9999_from_the_future')")
            }
        }
        #expect {
            _ = try Catalog(configuration)
        } throws: { error in
            guard let error = error as? CatalogError,
                case .newerSchema(_, let unknown) = error
            else { return false }
            return unknown == ["9999_from_the_future"] && error.description.contains("newer Glimpse")
        }
    }

    @Test func connectionsUseWALFullSynchronousForeignKeysAndABusyTimeout() throws {
        let directory = try ScratchDirectory("catalog")
        defer { directory.remove() }
        let catalog = try Catalog(CatalogConfiguration(path: directory.databasePath))
        let (journal, synchronous, foreignKeys, busyTimeout) = try catalog.pool.writeWithoutTransaction { db in
            (
                try String.fetchOne(db, sql: "PRAGMA journal_mode"), try Int.fetchOne(db, sql: "PRAGMA synchronous"),
                try Int.fetchOne(db, sql: "PRAGMA foreign_keys"), try Int.fetchOne(db, sql: "PRAGMA busy_timeout")
            )
        }
        #expect(journal == "wal")
        #expect(synchronous == 2, "2 is FULL")
        #expect(foreignKeys == 1)
        #expect(busyTimeout == 10_000, "the default busy timeout is 10 s")
        #expect(try catalog.pool.read { db in try Int.fetchOne(db, sql: "PRAGMA foreign_keys") } == 1)
    }

    @Test func aFileThatIsNotADatabaseIsReportedWithItsPath() throws {
        let directory = try ScratchDirectory("catalog")
        defer { directory.remove() }
        try Data(repeating: 0x41, count: 8192).write(to: URL(fileURLWithPath: directory.databasePath))
        #expect {
            _ = try Catalog(CatalogConfiguration(path: directory.databasePath))
        } throws: { error in
            guard let error = error as? CatalogError, case .cannotOpen(let path, _) = error else { return false }
            return path == directory.databasePath && error.description.contains(directory.databasePath)
        }
    }
}
