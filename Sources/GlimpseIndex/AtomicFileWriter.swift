import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a file so that a crash leaves either the old or the new content: a temp file in the same directory,
/// fsync'd, renamed over the target, then the directory fsync'd so the rename itself is durable.
struct AtomicFileWriter {
    let destination: URL

    func write(_ body: (_ append: (UnsafeRawBufferPointer) throws -> Void) throws -> Void)
        throws
    {
        let directory = destination.deletingLastPathComponent().path
        let temporary =
            directory + "/." + destination.lastPathComponent + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw Self.error("cannot create \(temporary)") }
        var renamed = false
        defer {
            if !renamed { unlink(temporary) }
        }
        do {
            try body { (bytes: UnsafeRawBufferPointer) throws in
                try Self.writeAll(fd, bytes, path: temporary)
            }
            guard fsync(fd) == 0 else { throw Self.error("fsync of \(temporary) failed") }
        } catch {
            close(fd)
            throw error
        }
        guard close(fd) == 0 else { throw Self.error("closing \(temporary) failed") }
        guard rename(temporary, destination.path) == 0 else {
            throw Self.error("cannot rename \(temporary) to \(destination.path)")
        }
        renamed = true
        let directoryFD = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard directoryFD >= 0 else { throw Self.error("cannot open directory \(directory) to sync it") }
        defer { close(directoryFD) }
        guard fsync(directoryFD) == 0 else { throw Self.error("fsync of directory \(directory) failed") }
    }

    private static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, path: String) throws {
        guard var cursor = bytes.baseAddress else { return }
        var remaining = bytes.count
        while remaining > 0 {
            let written = Glibc.write(fd, cursor, min(remaining, 1 << 30))
            if written < 0 {
                if errno == EINTR { continue }
                throw error("writing \(path) failed")
            }
            cursor += written
            remaining -= written
        }
    }

    private static func error(_ what: String) -> HNSWIndexError {
        .io("\(what): \(String(cString: strerror(errno)))")
    }
}
