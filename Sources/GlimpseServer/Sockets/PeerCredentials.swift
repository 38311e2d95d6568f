import Logging
import NIOCore

#if canImport(Glibc)
import Glibc
#endif

/// The process at the other end of a Unix socket connection, as the kernel recorded it at `connect()` (SO_PEERCRED):
/// it cannot be forged by the client and does not change if the client later passes the descriptor on.
struct PeerCredentials: Sendable, Equatable {
    var pid: Int32
    var uid: UInt32
    var gid: UInt32

    /// Linux's `struct ucred` layout: pid_t, uid_t, gid_t.
    private struct UCred: Sendable {
        var pid: Int32 = 0
        var uid: UInt32 = 0
        var gid: UInt32 = 0
    }

    /// Asks the connection's own socket; answered on its event loop, so it cannot see another connection's peer.
    static func of(_ channel: any Channel) async throws -> PeerCredentials {
        guard let provider = channel as? any SocketOptionProvider else {
            throw PeerCredentialsError.notASocket
        }
        let value: UCred = try await provider.unsafeGetSocketOption(
            level: SocketOptionLevel(SOL_SOCKET), name: SocketOptionName(SO_PEERCRED)
        ).get()
        return PeerCredentials(pid: value.pid, uid: value.uid, gid: value.gid)
    }

    var metadata: Logger.Metadata {
        ["peer_pid": "\(pid)", "peer_uid": "\(uid)", "peer_gid": "\(gid)"]
    }
}

enum PeerCredentialsError: Error {
    case notASocket
}
