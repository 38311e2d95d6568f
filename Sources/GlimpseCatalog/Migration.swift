import Foundation
import GRDB

/// One numbered SQL file of the repository's top-level `migrations/`, embedded in the binary at build time.
struct Migration: Sendable, Equatable {
    /// The file name without `.sql`, e.g. `0001_initial`; recorded in `grdb_migrations` once applied.
    let name: String
    let sql: String

    init(name: String, sql: String) {
        self.name = name
        self.sql = sql
    }

    init(name: String, bytes: [UInt8]) {
        self.init(name: name, sql: String(decoding: bytes, as: UTF8.self))
    }

    /// Every migration, in the order they are applied. Add a line here with each new file in `migrations/`;
    /// `MigrationTests` fails until this list and the directory agree.
    static let all: [Migration] = [
        Migration(name: "0001_initial", bytes: PackageResources._001_initial_sql),
        Migration(name: "0002_index_spaces", bytes: PackageResources._002_index_spaces_sql),
        Migration(name: "0003_language_means", bytes: PackageResources._003_language_means_sql),
        Migration(name: "0004_compact_vectors", bytes: PackageResources._004_compact_vectors_sql),
        Migration(name: "0005_item_fields", bytes: PackageResources._005_item_fields_sql),
        Migration(name: "0006_catalog_identity", bytes: PackageResources._006_catalog_identity_sql),
        Migration(name: "0007_photo_facts", bytes: PackageResources._007_photo_facts_sql),
        Migration(name: "0008_caption_source", bytes: PackageResources._008_caption_source_sql),
        Migration(name: "0009_file_facts", bytes: PackageResources._009_file_facts_sql),
    ]

    /// A migrator that applies `migrations` in order, each in its own transaction, recording each by name.
    static func migrator(_ migrations: [Migration]) -> DatabaseMigrator {
        var migrator = DatabaseMigrator()
        for migration in migrations {
            migrator.registerMigration(migration.name) { db in
                // Backfills that SQL alone cannot compute (summing float32 blobs) call these.
                db.add(function: LanguageSumFunctions.valid)
                db.add(function: LanguageSumFunctions.sum)
                do {
                    try db.execute(sql: migration.sql)
                } catch {
                    throw CatalogError.migrationFailed(name: migration.name, reason: "\(error)")
                }
            }
        }
        return migrator
    }
}
