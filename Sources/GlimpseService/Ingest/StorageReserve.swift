import Foundation
import GlimpseCatalog
import Logging
import Synchronization

/// A file of real (allocated) blocks kept in the data directory so that, when the disk fills up, deleting it gives
/// the catalog room to record that the job in progress failed; without it the worker could not even write that.
/// Re-created once the disk has room again. On a disk too small to hold it there is simply no reserve: failures
/// the catalog cannot record are then kept in memory by the worker and written when space returns.
///
/// It also gives back the space the catalog's WAL holds (`returnFreedSpace()`, called by the idle worker): SQLite
/// keeps a WAL file at its largest size, and after a storage_full failure the frames of the transactions the disk
/// could not hold stay in it, so the space freed by an operator could stay used by the WAL.
final class StorageReserve: Sendable {
    let url: URL
    let bytes: Int
    private let logger: Logger
    /// When the last attempt to create the reserve failed; creation is retried at most every 10 s, so a full disk
    /// is not hammered with writes.
    private let lastFailedAttempt = Mutex<ContinuousClock.Instant?>(nil)
    /// Whose WAL to truncate (nil: none) and how often while idle.
    private let catalog: Catalog?
    private let walTruncateInterval: Duration
    /// The WAL's state: when it was last truncated (or tried), and whether a storage failure was seen since.
    private let walState = Mutex<(lastAttempt: ContinuousClock.Instant?, storageFullSeen: Bool)>((nil, false))

    init(
        directory: URL, bytes: Int, catalog: Catalog? = nil, walTruncateInterval: Duration = .seconds(30),
        logger: Logger
    ) {
        url = directory.appendingPathComponent("storage.reserve")
        self.bytes = bytes
        self.catalog = catalog
        self.walTruncateInterval = walTruncateInterval
        self.logger = logger
    }

    /// Called by the idle worker (on a blocking thread: a checkpoint waits for readers). Truncates the catalog's
    /// WAL to zero bytes (a TRUNCATE checkpoint) at once after a storage failure, or when the WAL is larger than
    /// `Catalog.walSizeLimitBytes`, else at most every `walTruncateInterval` while it is not empty; then puts
    /// the reserve back if it is missing. The WAL goes first: the reserve takes space the checkpoint may need.
    func returnFreedSpace() {
        if let catalog { truncateWAL(of: catalog) }
        restoreIfMissing()
    }

    /// The worker saw the disk full: the next `returnFreedSpace()` truncates the WAL whatever its size.
    func noteStorageFull() {
        walState.withLock { $0.storageFullSeen = true }
    }

    private func truncateWAL(of catalog: Catalog) {
        let size = catalog.walFileBytes
        guard size > 0 else { return }
        let now = ContinuousClock.now
        let (due, afterStorageFull) = walState.withLock { state in
            let sinceLast = state.lastAttempt.map { now - $0 } ?? .seconds(Int64.max)
            // After a failure or a full disk, retry no more than every 10 s (a checkpoint on a full disk fails).
            let urgent = (state.storageFullSeen || size > Catalog.walSizeLimitBytes) && sinceLast >= .seconds(10)
            return (urgent || sinceLast >= walTruncateInterval, state.storageFullSeen)
        }
        guard due else { return }
        do {
            try catalog.truncateWAL()
            walState.withLock { $0 = (now, false) }
            if afterStorageFull || size > Catalog.walSizeLimitBytes {
                logger.notice(
                    "catalog WAL truncated",
                    metadata: ["bytes_freed": "\(size)", "after_storage_full": "\(afterStorageFull)"])
            }
        } catch {
            walState.withLock { $0.lastAttempt = now }
            logger.debug("catalog WAL not truncated yet", metadata: ["error": "\(error)"])
        }
    }

    var isInPlace: Bool {
        (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) == bytes
    }

    /// Deletes the reserve; true when there was one to free.
    @discardableResult
    func release() -> Bool {
        noteStorageFull()
        guard bytes > 0, FileManager.default.fileExists(atPath: url.path) else { return false }
        do {
            try FileManager.default.removeItem(at: url)
            logger.warning(
                "storage reserve released to record a storage failure; free space in the data directory",
                metadata: ["path": "\(url.path)", "bytes": "\(bytes)"])
            return true
        } catch {
            return false
        }
    }

    /// Creates the reserve if it is missing and the last failed attempt is not too recent. Never throws: a missing
    /// reserve only makes a later full disk harder to record.
    func restoreIfMissing() {
        guard bytes > 0, !isInPlace else { return }
        let now = ContinuousClock.now
        let mayTry = lastFailedAttempt.withLock { last in last.map { now - $0 >= .seconds(10) } ?? true }
        guard mayTry else { return }
        let fd = open(url.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            lastFailedAttempt.withLock { $0 = now }
            return
        }
        // posix_fallocate allocates real blocks (a sparse file would free nothing when deleted).
        let result = posix_fallocate(fd, 0, off_t(bytes))
        close(fd)
        if result != 0 {
            try? FileManager.default.removeItem(at: url)
            lastFailedAttempt.withLock { $0 = now }
            logger.debug(
                "storage reserve not created", metadata: ["error": "\(String(cString: strerror(result)))"])
        } else {
            lastFailedAttempt.withLock { $0 = nil }
        }
    }
}
