import Foundation
import GlimpseAPI
import Testing

@testable import GlimpseServer

@Suite struct TimeoutTests {
    @Test func aRequestOverTheDeadlineAnswers503TimeoutAndTheDaemonKeepsServing() async throws {
        try await withServer(
            embedder: TestOnlySlowEmbedder(queryDelay: .seconds(5)),
            adjust: {
                $0.requestTimeout = .milliseconds(300)
            }
        ) { fixture in
            let answer = try await fixture.queryClient.raw(method: "GET", path: "/v1/search?q=dog", body: nil)
            #expect(answer.status == 503)
            #expect(errorCode(answer.body) == "timeout", "\(String(decoding: answer.body, as: UTF8.self))")
            #expect(try await fixture.queryClient.health().status == "ok")
        }
    }

    @Test func aConnectionThatStopsHalfWayThroughARequestIsClosedAfterTheIdleTimeout() async throws {
        try await withServer(adjust: { $0.idleTimeout = .milliseconds(500) }) { fixture in
            for path in [fixture.configuration.socketPath, fixture.configuration.adminSocketPath] {
                let stalled = try RawUnixConnection(path: path)
                stalled.send("GET /v1/health HTTP/1.1\r\nHost: loc")
                // 60 s only bounds a broken server; the daemon closes after its 0.5 s idle timeout.
                let (data, closed) = await stalled.readUntilClosed(limit: 60)
                #expect(closed, "the stalled connection on \(path) was not closed")
                #expect(data.isEmpty, "nothing is answered to half a request")
            }
            // A complete request on a fresh connection is still answered.
            let complete = try RawUnixConnection(path: fixture.configuration.socketPath)
            complete.send("GET /v1/health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
            let (data, _) = await complete.readUntilClosed(limit: 60)
            #expect(String(decoding: data, as: UTF8.self).hasPrefix("HTTP/1.1 200"))
        }
    }
}
