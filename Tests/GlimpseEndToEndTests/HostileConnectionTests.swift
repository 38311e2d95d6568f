import Foundation
import GlimpseTestSupport
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Connection-level limits (request deadline and minimum rate, connection cap, shutdown grace) on the real daemon
/// process, configured through its command-line flags, against clients that trickle or hoard connections.
@Suite(.serialized) struct HostileConnectionTests {
    /// No dictionaries to load: these tests are about connections, and the daemon then starts in a moment.
    static let noDictionaries = ["--en-zh-dictionary", "/nonexistent/glimpse-no-dictionary", "--zh-en-dictionary", ""]
    static let health = "GET /v1/health HTTP/1.1\r\nHost: glimpse\r\n\r\n"

    @Test func aClientTricklingABodyIsCutOffWith408AndTheDaemonKeepsServing() async throws {
        try TestEnvironment.requirePrerequisites()
        try await withScratchDirectory("trickle") { directory in
            try await withDaemon(
                in: directory,
                extraArguments: Self.noDictionaries + ["--request-min-rate", "1000", "--request-min-rate-grace", "1"]
            ) { daemon in
                let slow = try RawSocket(path: daemon.adminSocketPath)
                slow.send(
                    "POST /v1/items HTTP/1.1\r\nHost: glimpse\r\nContent-Type: application/json\r\n"
                        + "Content-Length: 1000000\r\n\r\n")
                // 1 MB at 10 bytes/s would take 28 hours; the daemon must cut it off long before the 30 s guard.
                let stop = slow.trickle(Array(repeating: UInt8(ascii: " "), count: 300), interval: .milliseconds(100))
                let (data, closed) = await slow.readUntilClosed(limit: 30)
                stop.set()
                #expect(closed, "the trickling connection was not closed:\n\(daemon.log)")
                let answer = try #require(RawHTTPAnswer(data), "no answer: \(String(decoding: data, as: UTF8.self))")
                #expect(answer.status == 408)
                #expect(answer.errorCode == "request_timeout", "\(String(decoding: answer.body, as: UTF8.self))")
                #expect(try await daemon.client.health().status == "ok")
                #expect(await daemon.terminate() == 0)
            }
        }
    }

    @Test func headersTrickledPastTheReadTimeoutAreCutOffWith408() async throws {
        try TestEnvironment.requirePrerequisites()
        try await withScratchDirectory("slowheaders") { directory in
            try await withDaemon(
                in: directory,
                extraArguments: Self.noDictionaries + ["--request-read-timeout", "2", "--request-min-rate", "0"]
            ) { daemon in
                let slow = try RawSocket(path: daemon.socketPath)
                // Headers that never end, at a steady 20 bytes/s: only the whole-request deadline stops them.
                let header =
                    Array("GET /v1/health HTTP/1.1\r\nHost: glimpse\r\nX-Pad: ".utf8)
                    + Array(repeating: UInt8(ascii: "a"), count: 1_000)
                let stop = slow.trickle(header, interval: .milliseconds(50))
                let (data, closed) = await slow.readUntilClosed(limit: 30)
                stop.set()
                #expect(closed, "the trickling connection was not closed:\n\(daemon.log)")
                let answer = try #require(RawHTTPAnswer(data), "no answer: \(String(decoding: data, as: UTF8.self))")
                #expect(answer.status == 408)
                #expect(answer.errorCode == "request_timeout")
                #expect(await daemon.terminate() == 0)
            }
        }
    }

    @Test func overTheConnectionCapAFurtherConnectionGets503WhileHealthChecksAnswer() async throws {
        try TestEnvironment.requirePrerequisites()
        try await withScratchDirectory("cap") { directory in
            // The idle timeout closes the connections the test's HTTP client pooled while waiting for start-up, which
            // would otherwise hold places under the cap.
            try await withDaemon(
                in: directory,
                extraArguments: Self.noDictionaries + ["--max-connections", "2", "--idle-timeout", "4"]
            ) { daemon in
                try await Task.sleep(for: .seconds(5))
                let path = daemon.socketPath
                let first = try RawSocket(path: path)
                let second = try RawSocket(path: path)
                // Answered, so the daemon has accepted (and counted) both; keep-alive holds them open.
                first.send(Self.health)
                let firstStatus = await first.readAnswer(limit: 30)?.status
                #expect(firstStatus == 200)
                second.send(Self.health)
                let secondStatus = await second.readAnswer(limit: 30)?.status
                #expect(secondStatus == 200)

                let excess = try RawSocket(path: path)
                excess.send("GET /v1/search?q=dog HTTP/1.1\r\nHost: glimpse\r\n\r\n")
                let (data, closed) = await excess.readUntilClosed(limit: 30)
                #expect(closed, "an over-cap connection is closed after its answer")
                let refused = try #require(RawHTTPAnswer(data), "no answer: \(String(decoding: data, as: UTF8.self))")
                #expect(refused.status == 503)
                #expect(refused.errorCode == "too_many_connections")

                let health = try RawSocket(path: path)
                health.send(Self.health)
                let (healthData, _) = await health.readUntilClosed(limit: 30)
                #expect(
                    RawHTTPAnswer(healthData)?.status == 200,
                    "over the cap, /v1/health still answers: \(String(decoding: healthData, as: UTF8.self))")
                // The admin socket has a cap of its own, untouched by the query socket's crowd.
                #expect(try await daemon.adminClient.health().status == "ok")
                // The held connections were served all along.
                first.send(Self.health)
                let againStatus = await first.readAnswer(limit: 30)?.status
                #expect(againStatus == 200)
                #expect(await daemon.terminate() == 0)
            }
        }
    }

    @Test func sigtermWithATricklingClientExitsWithinTheShutdownGrace() async throws {
        try TestEnvironment.requirePrerequisites()
        try await withScratchDirectory("grace") { directory in
            // The read timeout (300 s) and no minimum rate leave only the shutdown grace (1 s) to end the straggler.
            try await withDaemon(
                in: directory,
                extraArguments: Self.noDictionaries + [
                    "--shutdown-grace", "1", "--request-min-rate", "0", "--request-read-timeout", "300",
                ]
            ) { daemon in
                let straggler = try RawSocket(path: daemon.adminSocketPath)
                straggler.send(
                    "POST /v1/items HTTP/1.1\r\nHost: glimpse\r\nContent-Type: application/json\r\n"
                        + "Content-Length: 100000\r\n\r\n")
                let stop = straggler.trickle(
                    Array(repeating: UInt8(ascii: " "), count: 1_000), interval: .milliseconds(200))
                // The daemon has the request under way before the signal.
                try await Task.sleep(for: .milliseconds(600))
                let closing = Task { await straggler.readUntilClosed(limit: 60) }
                let started = ContinuousClock.now
                let status = await daemon.terminate()
                let took = ContinuousClock.now - started
                stop.set()
                #expect(
                    status == 0, "glimpsed exit status after SIGTERM (-1: still running after 60 s):\n\(daemon.log)")
                // A bound, not a speed claim: without the grace the straggler would hold shutdown for 300 s.
                #expect(took < .seconds(30), "shutdown took \(took)")
                let (_, closed) = await closing.value
                #expect(closed, "the straggler's connection was left open")
            }
        }
    }
}
