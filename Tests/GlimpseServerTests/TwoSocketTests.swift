import Foundation
import GlimpseAPI
import GlimpseClient
import Testing

@testable import GlimpseDaemon
@testable import GlimpseServer

#if canImport(Glibc)
import Glibc
#endif

@Suite struct TwoSocketTests {
    @Test func theQuerySocketRefusesAdminActionsWith403AndServesReads() async throws {
        try await withServer { fixture in
            let query = fixture.queryClient
            let refusals: [(String, String, Data?)] = [
                ("POST", "/v1/items", Data(#"{"image_path": "/x.jpg", "captions": {"en": "x"}}"#.utf8)),
                ("DELETE", "/v1/items/x", nil),
                ("POST", "/v1/admin/rebuild", nil),
            ]
            for (method, path, body) in refusals {
                let answer = try await query.raw(method: method, path: path, body: body)
                #expect(answer.status == 403, "\(method) \(path) on the query socket")
                #expect(
                    errorCode(answer.body) == "admin_socket_required",
                    "\(method) \(path): \(String(decoding: answer.body, as: UTF8.self))")
                // The admin group's middleware names the route, not the one item asked for.
                let route = path == "/v1/items/x" ? "/v1/items/{id}" : path
                let message = try JSONDecoder().decode(ErrorResponse.self, from: answer.body).error.message
                #expect(message.hasPrefix("\(method) \(route) changes the catalog"), "\(method) \(path): \(message)")
            }
            #expect(try await query.health().status == "ok")
            #expect(try await query.status().catalog.items == 0, "nothing was ingested through the query socket")
            #expect(try await query.raw(method: "GET", path: "/v1/openapi.yaml", body: nil).status == 200)

            // The admin socket serves the same reads and the admin actions.
            let admin = fixture.adminClient
            let accepted = try await admin.ingest([
                IngestItem(id: "dog", imagePath: try fixture.image("dog.jpg"), captions: ["en": "a dog"])
            ])
            var job = try await query.job(id: accepted.jobID)
            while !job.state.isFinished {
                try await Task.sleep(for: .milliseconds(20))
                job = try await query.job(id: accepted.jobID)
            }
            #expect(job.inserted == 1)
            #expect(try await query.search("a dog").results.map(\.id) == ["dog"])
            #expect(try await admin.status().catalog.items == 1)
            #expect(try await admin.delete(id: "dog").id == "dog")
            #expect(try await admin.rebuild().state == .queued)
        }
    }

    @Test func socketsGetTheConfiguredModesAndGroup() async throws {
        let gid = getgid()
        try await withServer(adjust: { $0.socketGroup = String(gid) }) { fixture in
            for (path, mode) in [
                (fixture.configuration.socketPath, 0o660), (fixture.configuration.adminSocketPath, 0o600),
            ] {
                var info = stat()
                #expect(stat(path, &info) == 0)
                #expect(info.st_mode & 0o170000 == 0o140000, "\(path) is a socket")
                #expect(Int(info.st_mode & 0o777) == mode, "\(path) mode \(String(info.st_mode & 0o777, radix: 8))")
                #expect(info.st_gid == gid)
                #expect(info.st_uid == getuid())
            }
        }
    }

    @Test func configuredModesApplyToBothSockets() async throws {
        try await withServer(adjust: {
            $0.socketMode = 0o666
            $0.adminSocketMode = 0o660
        }) { fixture in
            var info = stat()
            #expect(stat(fixture.configuration.socketPath, &info) == 0 && info.st_mode & 0o777 == 0o666)
            #expect(stat(fixture.configuration.adminSocketPath, &info) == 0 && info.st_mode & 0o777 == 0o660)
        }
    }

    @Test func adminActionsAreLoggedWithThePeersCredentials() async throws {
        try await withServer { fixture in
            let admin = fixture.adminClient
            _ = try await admin.ingest([
                IngestItem(id: "cat", imagePath: try fixture.image("cat.jpg"), captions: ["en": "a cat"])
            ])
            _ = try? await admin.delete(id: "no-such-item")
            _ = try await admin.rebuild()
            _ = try await fixture.queryClient.search("cat")

            let adminEntries = fixture.log.all.filter { $0.message.hasPrefix("admin: ") }
            #expect(Set(adminEntries.map(\.message)) == ["admin: ingest accepted", "admin: rebuild queued"])
            for entry in adminEntries {
                #expect(entry.metadata["peer_pid"] == "\(getpid())", "\(entry.message): \(entry.metadata)")
                #expect(entry.metadata["peer_uid"] == "\(getuid())")
                #expect(entry.metadata["peer_gid"] == "\(getgid())")
            }
        }
    }

    @Test func configurationRefusesOneSocketForBothRolesAndUnknownGroups() {
        var same = DaemonConfiguration()
        same.adminSocketPath = same.socketPath
        #expect(throws: ConfigurationError.self) { try same.validate() }
        var unknownGroup = DaemonConfiguration()
        unknownGroup.socketGroup = "no-such-group-glimpse"
        #expect(throws: ConfigurationError.self) { try unknownGroup.validate() }
    }
}
