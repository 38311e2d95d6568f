import Foundation
import GRDB

/// How big the catalog's write-ahead log may stay.
///
/// SQLite never shrinks a WAL file by itself: it rewinds to the start after a checkpoint and keeps the file at the
/// largest size it ever reached. After a large transaction, or a storage_full failure (the frames of a transaction
/// the disk could not hold stay in the file), that space stays used, which on a small disk is the space needed to
/// recover. So every connection sets `journal_size_limit` (the WAL is truncated to it each time it is rewound) and
/// checkpoints every `walAutocheckpointPages` pages instead of SQLite's 1,000 (4 MB at 4 kB pages, more than a
/// small disk has; on a 3 MB filesystem the default checkpoint was never reached). `truncateWAL()` empties the file.
extension Catalog {
    /// The WAL is truncated to this size whenever a checkpoint lets it start over.
    public static let walSizeLimitBytes = 1 << 20
    /// A checkpoint after every commit that leaves the WAL at least this many pages long (1 MB at 4 kB pages).
    static let walAutocheckpointPages = 256

    /// Path of the WAL file beside the database.
    public var walPath: String { path + "-wal" }

    /// Size of the WAL file now (0 when there is none).
    public var walFileBytes: Int {
        (try? FileManager.default.attributesOfItem(atPath: walPath)[.size] as? Int) ?? 0
    }

    /// Copies every committed page from the WAL into the database and truncates the WAL to zero bytes (SQLite's
    /// TRUNCATE checkpoint). Waits, up to the busy timeout, for readers on older snapshots to finish. Throws
    /// SQLITE_BUSY when they do not, or SQLITE_FULL when the database file cannot grow to take the pages.
    public func truncateWAL() throws {
        try pool.writeWithoutTransaction { db in _ = try db.checkpoint(.truncate) }
    }

    /// `truncateWAL()` when the WAL file is larger than `walSizeLimitBytes` (a stat, otherwise); returns whether it
    /// truncated. The idle worker calls it, so space a full disk left in the WAL returns once writes can succeed.
    @discardableResult
    public func truncateWALIfOversized() throws -> Bool {
        guard walFileBytes > Self.walSizeLimitBytes else { return false }
        try truncateWAL()
        return true
    }
}
