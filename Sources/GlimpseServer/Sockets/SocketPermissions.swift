import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Who may connect to a socket file. The daemon runs with umask 0077 from the start (as glimpsed.service's UMask=),
/// so `bind()` creates every socket 0700 owned by the daemon's user: there is no moment at which a socket is reachable by anyone else.
/// Only then is it given its group and widened to the configured mode (group first, so a 0660 socket is never
/// group-accessible to the daemon's primary group when another group was asked for).
package enum SocketPermissions {
    /// The umask in force while sockets are bound; files the daemon creates are private to its user as well.
    package static let restrictiveUmask: mode_t = 0o077

    package static func restrictUmask() {
        umask(restrictiveUmask)
    }

    /// Sets group (when given) and mode on a freshly bound socket file.
    package static func apply(path: String, mode: UInt16, group: String?) throws {
        if let group {
            let gid = try groupID(group)
            guard chown(path, uid_t.max, gid) == 0 else {
                throw ConfigurationError(
                    "cannot give \(path) the group \(group) (gid \(gid)): \(String(cString: strerror(errno))); the daemon's user must be a member"
                )
            }
        }
        guard chmod(path, mode_t(mode)) == 0 else {
            throw ConfigurationError(
                "cannot set the mode of \(path) to \(String(mode, radix: 8)): \(String(cString: strerror(errno)))")
        }
    }

    /// A group name from the group database, or a numeric gid as given.
    package static func groupID(_ group: String) throws -> gid_t {
        if let numeric = gid_t(group) { return numeric }
        guard !group.isEmpty, let entry = getgrnam(group) else {
            throw ConfigurationError(
                "socket_group \"\(group)\" is neither a group name known to this system nor a numeric gid")
        }
        return entry.pointee.gr_gid
    }
}
