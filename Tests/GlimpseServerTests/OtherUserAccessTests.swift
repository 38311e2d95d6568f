import Foundation
import GlimpseTestSupport
import Testing

@testable import GlimpseServer

#if canImport(Glibc)
import Glibc
#endif

/// Another user's process, started with setpriv (util-linux), tries to connect to both sockets. This needs root to
/// switch users: run as anyone else it FAILS rather than passing without having checked anything, unless
/// GLIMPSE_ALLOW_UNPRIVILEGED_TESTS=1 says the run knowingly cannot check it.
@Suite struct OtherUserAccessTests {
    /// nobody:nogroup on Debian.
    static let otherUser: UInt32 = 65534
    static let socketGroup: UInt32 = 65534

    /// Connects as `uid:gid` with no supplementary groups; returns "ok" or the errno name.
    private func connectAs(uid: UInt32, gid: UInt32, path: String) throws -> String {
        let script = """
            import socket, errno, sys
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                s.connect(sys.argv[1]); print("ok")
            except OSError as e:
                print(errno.errorcode.get(e.errno, str(e.errno)))
            """
        let run = try runCommand(
            URL(fileURLWithPath: "/usr/bin/setpriv"),
            ["--reuid=\(uid)", "--regid=\(gid)", "--clear-groups", "/usr/bin/python3", "-c", script, path])
        return run.output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func aSecondUserCannotConnectToTheAdminSocketButTheSocketGroupCanQuery() async throws {
        guard geteuid() == 0 else {
            if ProcessInfo.processInfo.environment["GLIMPSE_ALLOW_UNPRIVILEGED_TESTS"] == "1" { return }
            Issue.record(
                "this test must run as root to start a process as another user (CI does); set GLIMPSE_ALLOW_UNPRIVILEGED_TESTS=1 to knowingly skip it"
            )
            return
        }
        try #require(FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv"), "setpriv (util-linux) missing")
        try #require(FileManager.default.isExecutableFile(atPath: "/usr/bin/python3"), "/usr/bin/python3 missing")
        try await withServer(adjust: { $0.socketGroup = String(Self.socketGroup) }) { fixture throws in
            let admin = fixture.configuration.adminSocketPath
            let query = fixture.configuration.socketPath

            // The other user is in the socket group: it may search, but not change the catalog.
            #expect(try connectAs(uid: Self.otherUser, gid: Self.socketGroup, path: admin) == "EACCES")
            #expect(try connectAs(uid: Self.otherUser, gid: Self.socketGroup, path: query) == "ok")
            // A user outside the socket group may do neither.
            #expect(try connectAs(uid: Self.otherUser, gid: 65533, path: query) == "EACCES")
            #expect(try connectAs(uid: Self.otherUser, gid: 65533, path: admin) == "EACCES")
            // The daemon's own user (root here) reaches both: the refusals above are about the user, not a broken socket.
            #expect(try connectAs(uid: 0, gid: 0, path: admin) == "ok")
        }
    }
}
