import Foundation
import GlimpseServer

#if canImport(Glibc)
import Glibc
#endif

/// One daemon per data directory: two writers would each replay and snapshot the index on their own.
/// An advisory `flock` is released by the kernel when the process dies, so a crash never leaves a stale lock.
final class DataDirectoryLock: Sendable {
    private let descriptor: Int32

    init(directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = (directory as NSString).appendingPathComponent("glimpsed.lock")
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw ConfigurationError("cannot open \(path): \(String(cString: strerror(errno)))")
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            close(descriptor)
            throw ConfigurationError("another glimpsed is already using the data directory \(directory)")
        }
        self.descriptor = descriptor
    }

    func release() {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}

/// Makes sure the socket's directory exists and that no live daemon is listening on the path before Hummingbird
/// replaces the file (it removes an existing socket file unconditionally).
enum SocketGuard {
    static func prepare(path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty, !FileManager.default.fileExists(atPath: directory) {
            // Searchable by all: who may connect is decided by each socket file's own mode and group, and the
            // daemon's umask (0077) would otherwise lock the socket group out of a directory created here.
            try FileManager.default.createDirectory(
                atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        }
        var status = stat()
        guard lstat(path, &status) == 0 else { return }
        // Hummingbird would only report `UnixDomainSocketPathWrongType()`; say which file and what to do.
        guard status.st_mode & S_IFMT == S_IFSOCK else {
            throw ConfigurationError(
                "\(path) exists and is not a socket (\(fileKind(status.st_mode))); the daemon does not replace it: remove it or choose another socket path"
            )
        }
        if isListening(path) {
            throw ConfigurationError("another process is already listening on \(path)")
        }
    }

    private static func fileKind(_ mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFREG: "a regular file"
        case S_IFDIR: "a directory"
        case S_IFLNK: "a symbolic link"
        case S_IFIFO: "a named pipe"
        default: "not a socket"
        }
    }

    private static func isListening(_ path: String) -> Bool {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return false }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        return result == 0
    }
}
