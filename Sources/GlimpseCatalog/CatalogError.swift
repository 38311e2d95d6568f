import Foundation

/// A catalog operation that cannot proceed; `description` names the problem.
public enum CatalogError: Error, Equatable, CustomStringConvertible {
    /// The SQLite file could not be opened or prepared.
    case cannotOpen(path: String, reason: String)
    /// The database was migrated by a newer Glimpse: it records migrations this build does not know.
    case newerSchema(path: String, unknownMigrations: [String])
    /// A migration failed; it was rolled back and the ones after it were not applied.
    case migrationFailed(name: String, reason: String)
    /// No job has this id.
    case jobNotFound(id: Int64)
    /// A stored job cannot be read back (unknown state, unreadable progress JSON).
    case corruptJob(id: Int64, reason: String)
    /// A vector handed to `upsertItem` cannot be stored.
    case invalidVector(index: Int, reason: String)
    /// A text (id, path, caption) holds a NUL character, which SQLite's C-string binding would cut off.
    case textHoldsNUL(field: String)
    /// The disk (or the database's size limit) is full: SQLITE_FULL or ENOSPC. Nothing of the failed write is kept.
    case storageFull(reason: String)

    public var description: String {
        switch self {
        case .cannotOpen(let path, let reason):
            "cannot open the catalog at \(path): \(reason)"
        case .newerSchema(let path, let unknown):
            "the catalog at \(path) was migrated by a newer Glimpse (unknown migrations: "
                + "\(unknown.joined(separator: ", "))); upgrade Glimpse or restore an older backup"
        case .migrationFailed(let name, let reason):
            "catalog migration \(name) failed and was rolled back: \(reason)"
        case .jobNotFound(let id):
            "no job with id \(id)"
        case .corruptJob(let id, let reason):
            "job \(id) cannot be read: \(reason)"
        case .invalidVector(let index, let reason):
            "vector \(index) cannot be stored: \(reason)"
        case .textHoldsNUL(let field):
            "the \(field) holds a NUL character, which cannot be stored"
        case .storageFull(let reason):
            "storage full: \(reason)"
        }
    }
}
