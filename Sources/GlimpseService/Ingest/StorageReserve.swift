import Foundation
import Logging
import Synchronization

/// A file of real (allocated) blocks kept in the data directory so that, when the disk fills up, deleting it gives
/// the catalog room to record that the job in progress failed; without it the worker could not even write that.
/// Re-created once the disk has room again. On a disk too small to hold it there is simply no reserve: failures
/// the catalog cannot record are then kept in memory by the worker and written when space returns.
final class StorageReserve: Sendable {
    let url: URL
    let bytes: Int
    private let logger: Logger
    /// When the last attempt to create the reserve failed; creation is retried at most every 10 s, so a full disk
    /// is not hammered with writes.
    private let lastFailedAttempt = Mutex<ContinuousClock.Instant?>(nil)

    init(directory: URL, bytes: Int, logger: Logger) {
        url = directory.appendingPathComponent("storage.reserve")
        self.bytes = bytes
        self.logger = logger
    }

    var isInPlace: Bool {
        (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) == bytes
    }

    /// Deletes the reserve; true when there was one to free.
    @discardableResult
    func release() -> Bool {
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
