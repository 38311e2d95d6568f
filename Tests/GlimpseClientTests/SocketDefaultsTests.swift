import GlimpseClient
import Testing

@Suite struct SocketDefaultsTests {
    @Test func queryAndAdminSocketsHaveSeparateDefaultsAndEnvironmentVariables() {
        #expect(GlimpseClient.defaultSocketPath(environment: [:]) == "/run/glimpse/glimpse.sock")
        #expect(GlimpseClient.defaultAdminSocketPath(environment: [:]) == "/run/glimpse/admin.sock")
        let environment = ["GLIMPSE_SOCKET": "/tmp/q.sock", "GLIMPSE_ADMIN_SOCKET": "/tmp/a.sock"]
        #expect(GlimpseClient.defaultSocketPath(environment: environment) == "/tmp/q.sock")
        #expect(GlimpseClient.defaultAdminSocketPath(environment: environment) == "/tmp/a.sock")
        #expect(
            GlimpseClient.defaultAdminSocketPath(environment: ["GLIMPSE_ADMIN_SOCKET": ""]) == "/run/glimpse/admin.sock"
        )
    }
}
