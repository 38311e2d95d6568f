import Foundation
import GlimpseTestSupport
import Testing

@testable import GlimpseDaemon
@testable import GlimpseServer

#if canImport(Glibc)
import Glibc
#endif

/// An answer read off a raw connection (GlimpseTestSupport's).
typealias RawAnswer = RawHTTPAnswer

extension RawUnixConnection {
    func send(bytes: [UInt8]) {
        _ = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }
}

/// Runs a blocking socket read on a thread of its own: the test process's cooperative pool (two threads on this
/// machine) also runs the daemon's handlers, which a test blocked in `recv` would starve.
func offThePool<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        Thread { continuation.resume(returning: body()) }.start()
    }
}

func readUntilClosed(_ fd: Int32, limit: Int) async -> (data: Data, closed: Bool) {
    await offThePool {
        var timeout = timeval(tv_sec: limit, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var received = Data()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = recv(fd, &buffer, buffer.count, 0)
            if count == 0 { return (received, true) }
            if count < 0 { return (received, false) }
            received.append(contentsOf: buffer[0..<count])
        }
    }
}

func readAnswer(_ fd: Int32, limit: Int) async -> RawAnswer? {
    await offThePool {
        var timeout = timeval(tv_sec: limit, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var received = Data()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            if let answer = RawAnswer(received), let length = Int(answer.headers["content-length"] ?? ""),
                answer.body.count >= length
            {
                return answer
            }
            let count = recv(fd, &buffer, buffer.count, 0)
            if count <= 0 { return nil }
            received.append(contentsOf: buffer[0..<count])
        }
    }
}

/// These tests are about connections: no dictionaries to load makes each daemon start in a moment.
func withoutDictionaries(_ configuration: inout DaemonConfiguration) {
    configuration.enZhDictionaryPath = "/nonexistent/glimpse-test-no-dictionary"
    configuration.zhEnDictionaryPath = ""
}

/// Sends `bytes` one at a time, `interval` apart, on another thread, until done or the peer closes.
func trickle(_ bytes: [UInt8], to fd: Int32, interval: Duration) -> Task<Void, Never> {
    Task.detached {
        for byte in bytes {
            var one = byte
            if Glibc.send(fd, &one, 1, Int32(MSG_NOSIGNAL)) < 0 { return }
            try? await Task.sleep(for: interval)
        }
    }
}

@Suite struct RequestPaceTests {
    @Test func aBodyTrickledBelowTheMinimumRateIsCutOffWith408() async throws {
        try await withServer(adjust: {
            withoutDictionaries(&$0)
            $0.connectionLimits.minimumBytesPerSecond = 1_000
            $0.connectionLimits.minimumRateGracePeriod = .milliseconds(300)
        }) { fixture in
            let slow = try RawUnixConnection(path: fixture.configuration.adminSocketPath)
            slow.send(
                "POST /v1/items HTTP/1.1\r\nHost: glimpse\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n"
            )
            // 1 MB at 20 bytes/s would take 14 hours; the daemon must cut it off long before the 30 s guard.
            let sender = trickle(
                Array(repeating: UInt8(ascii: " "), count: 600), to: slow.fd, interval: .milliseconds(50))
            let (data, closed) = await readUntilClosed(slow.fd, limit: 30)
            sender.cancel()
            #expect(closed, "the trickling connection was not closed")
            let answer = try #require(RawAnswer(data), "no answer: \(String(decoding: data, as: UTF8.self))")
            #expect(answer.status == 408)
            #expect(errorCode(answer.body) == "request_timeout", "\(String(decoding: answer.body, as: UTF8.self))")
            #expect(try await fixture.queryClient.health().status == "ok")
        }
    }

    @Test func aRequestNotWholeWithinTheReadTimeoutIsCutOffWhateverItsRate() async throws {
        try await withServer(adjust: {
            withoutDictionaries(&$0)
            $0.connectionLimits.requestReadTimeout = .milliseconds(800)
            $0.connectionLimits.minimumBytesPerSecond = 0
        }) { fixture in
            let slow = try RawUnixConnection(path: fixture.configuration.socketPath)
            // Headers that never end, at a steady 20 bytes/s: only the whole-request deadline stops them.
            let header =
                Array("GET /v1/health HTTP/1.1\r\nHost: glimpse\r\nX-Pad: ".utf8)
                + Array(repeating: UInt8(ascii: "a"), count: 2_000)
            let sender = trickle(header, to: slow.fd, interval: .milliseconds(50))
            let (data, closed) = await readUntilClosed(slow.fd, limit: 30)
            sender.cancel()
            #expect(closed)
            let answer = try #require(RawAnswer(data))
            #expect(answer.status == 408)
            #expect(errorCode(answer.body) == "request_timeout")
        }
    }

    @Test func aRequestArrivingInTimeIsServedAndTheConnectionKeptOpen() async throws {
        try await withServer(adjust: {
            withoutDictionaries(&$0)
            $0.connectionLimits.minimumBytesPerSecond = 100
            $0.connectionLimits.minimumRateGracePeriod = .milliseconds(200)
        }) { fixture in
            let connection = try RawUnixConnection(path: fixture.configuration.socketPath)
            for _ in 0..<3 {
                connection.send("GET /v1/health HTTP/1.1\r\nHost: glimpse\r\n\r\n")
                let read = await readAnswer(connection.fd, limit: 30)
                let answer = try #require(read)
                #expect(answer.status == 200)
                // Idle between requests is the idle timeout's business, not the pace's.
                try await Task.sleep(for: .milliseconds(400))
            }
        }
    }

    @Test func shutdownClosesAConnectionStillBusyAfterTheGracePeriod() async throws {
        let fixture = try await ServerFixture(adjust: {
            withoutDictionaries(&$0)
            $0.connectionLimits.shutdownGracePeriod = .milliseconds(300)
            $0.connectionLimits.minimumBytesPerSecond = 0
        })
        let straggler = try RawUnixConnection(path: fixture.configuration.adminSocketPath)
        straggler.send(
            "POST /v1/items HTTP/1.1\r\nHost: glimpse\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"id\""
        )
        try await Task.sleep(for: .milliseconds(200))
        let stopping = Task { await fixture.stop() }
        // Without the grace period shutdown waits for the body that never comes; the 30 s guard fails the test.
        let (_, closed) = await readUntilClosed(straggler.fd, limit: 30)
        #expect(closed, "shutdown left the half-sent request's connection open")
        await stopping.value
    }
}

@Suite struct ConnectionCapTests {
    @Test func connectionsOverTheCapGet503ButHealthChecksAreStillAnswered() async throws {
        try await withServer(adjust: {
            withoutDictionaries(&$0)
            $0.connectionLimits.maxConnections = 2
        }) { fixture in
            let path = fixture.configuration.socketPath
            let first = try RawUnixConnection(path: path)
            let second = try RawUnixConnection(path: path)
            // Answered, so the daemon has accepted (and counted) both; keep-alive holds them open.
            first.send("GET /v1/health HTTP/1.1\r\nHost: glimpse\r\n\r\n")
            let firstStatus = await readAnswer(first.fd, limit: 30)?.status
            #expect(firstStatus == 200)
            second.send("GET /v1/health HTTP/1.1\r\nHost: glimpse\r\n\r\n")
            let secondStatus = await readAnswer(second.fd, limit: 30)?.status
            #expect(secondStatus == 200)
            let excess = try RawUnixConnection(path: path)
            excess.send("GET /v1/search?q=dog HTTP/1.1\r\nHost: glimpse\r\n\r\n")
            let (data, closed) = await readUntilClosed(excess.fd, limit: 30)
            #expect(closed)
            let refused = try #require(RawAnswer(data))
            #expect(refused.status == 503)
            #expect(errorCode(refused.body) == "too_many_connections")

            let health = try RawUnixConnection(path: path)
            health.send("GET /v1/health HTTP/1.1\r\nHost: glimpse\r\n\r\n")
            let (healthData, healthClosed) = await readUntilClosed(health.fd, limit: 30)
            #expect(RawAnswer(healthData)?.status == 200, "\(String(decoding: healthData, as: UTF8.self))")
            #expect(healthClosed, "an over-cap connection is closed after its one answer")
            // The held connections were served all along.
            first.send("GET /v1/health HTTP/1.1\r\nHost: glimpse\r\n\r\n")
            let againStatus = await readAnswer(first.fd, limit: 30)?.status
            #expect(againStatus == 200)
        }
    }
}

@Suite struct HTTPEdgeTests {
    /// Sends `bytes` on a fresh query-socket connection and returns the answer, which must close the connection.
    private func exchange(_ bytes: [UInt8], fixture: ServerFixture) async throws -> (
        RawAnswer?, closed: Bool, raw: String
    ) {
        let connection = try RawUnixConnection(path: fixture.configuration.socketPath)
        connection.send(bytes: bytes)
        let (data, closed) = await readUntilClosed(connection.fd, limit: 30)
        return (RawAnswer(data), closed, String(decoding: data, as: UTF8.self))
    }

    @Test func parserErrorsAnswer400WithTheJSONErrorBodyAndClose() async throws {
        try await withServer(adjust: { withoutDictionaries(&$0) }) { fixture in
            let cases: [(String, [UInt8])] = [
                (
                    "over-long URL",
                    Array("GET /v1/search?q=\(String(repeating: "a", count: 100_000)) HTTP/1.1\r\nHost: g\r\n\r\n".utf8)
                ),
                (
                    "over-long header",
                    Array(
                        "GET /v1/health HTTP/1.1\r\nHost: g\r\nX-Big: \(String(repeating: "b", count: 100_000))\r\n\r\n"
                            .utf8)
                ),
                ("HTTP/2 preface", Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8)),
                ("bare LF", Array("GET /v1/health HTTP/1.1\nHost: g\n\n".utf8)),
                (
                    "NUL in a header",
                    Array("GET /v1/health HTTP/1.1\r\nHost: g\r\nX-A: a".utf8) + [0] + Array("b\r\n\r\n".utf8)
                ),
                (
                    "CL and TE",
                    Array(
                        "POST /v1/search HTTP/1.1\r\nHost: g\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
                            .utf8)
                ),
            ]
            for (name, bytes) in cases {
                let (answer, closed, raw) = try await exchange(bytes, fixture: fixture)
                #expect(answer?.status == 400, "\(name): \(raw.prefix(300))")
                #expect(answer.flatMap { errorCode($0.body) } == "malformed_request", "\(name): \(raw.prefix(300))")
                #expect(answer?.headers["content-type"]?.hasPrefix("application/json") == true, "\(name)")
                #expect(closed, "\(name): the connection stays open")
            }
            #expect(try await fixture.queryClient.health().status == "ok")
        }
    }

    @Test func rawUTF8InTheQueryStringIsReadAsItsPercentEncoding() async throws {
        try await withServer(adjust: { withoutDictionaries(&$0) }) { fixture in
            let raw = try await exchange(
                Array("GET /v1/search?q=狗&k=3 HTTP/1.1\r\nHost: g\r\nConnection: close\r\n\r\n".utf8), fixture: fixture)
            let encoded = try await exchange(
                Array("GET /v1/search?q=%E7%8B%97&k=3 HTTP/1.1\r\nHost: g\r\nConnection: close\r\n\r\n".utf8),
                fixture: fixture)
            #expect(raw.0?.status == 200, "\(raw.raw)")
            #expect(encoded.0?.status == 200, "\(encoded.raw)")
            let query = { (answer: RawAnswer?) -> String? in
                guard let body = answer?.body,
                    let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any]
                else { return nil }
                return object["query"] as? String
            }
            #expect(query(raw.0) == "狗", "\(raw.raw)")
            #expect(query(encoded.0) == "狗")
        }
    }

    @Test func anErrorOnARawUTF8TargetCarriesTheJSONEnvelope() async throws {
        try await withServer(adjust: { withoutDictionaries(&$0) }) { fixture in
            let (answer, _, raw) = try await exchange(
                Array("GET /v1/search?q=狗&k=0 HTTP/1.1\r\nHost: g\r\nConnection: close\r\n\r\n".utf8), fixture: fixture)
            #expect(answer?.status == 400, "\(raw)")
            #expect(answer.flatMap { errorCode($0.body) } == "invalid_k", "\(raw)")
            // Raw bytes that are not UTF-8 are refused as their percent-encoding (%FF) is.
            let (invalid, _, invalidRaw) = try await exchange(
                Array("GET /v1/search?q=a".utf8) + [0xFF]
                    + Array(" HTTP/1.1\r\nHost: g\r\nConnection: close\r\n\r\n".utf8),
                fixture: fixture)
            #expect(invalid?.status == 400, "\(invalidRaw)")
            #expect(invalid.flatMap { errorCode($0.body) } == "invalid_query", "\(invalidRaw)")
        }
    }

    @Test func http10IsClosedAfterTheAnswerUnlessKeepAliveWasAsked() async throws {
        try await withServer(adjust: { withoutDictionaries(&$0) }) { fixture in
            // The idle timeout is 60 s: a close within the 30 s guard is the daemon honouring HTTP/1.0.
            let (answer, closed, raw) = try await exchange(
                Array("GET /v1/health HTTP/1.0\r\n\r\n".utf8), fixture: fixture)
            #expect(answer?.status == 200, "\(raw)")
            #expect(answer?.headers["connection"] == "close")
            #expect(closed)

            let keepAlive = try RawUnixConnection(path: fixture.configuration.socketPath)
            for _ in 0..<2 {
                keepAlive.send("GET /v1/health HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
                let keptStatus = await readAnswer(keepAlive.fd, limit: 30)?.status
                #expect(keptStatus == 200)
            }
        }
    }

    @Test func headIsAnsweredLikeGetWithoutTheBody() async throws {
        try await withServer(adjust: { withoutDictionaries(&$0) }) { fixture in
            let get = try await exchange(
                Array("GET /v1/health HTTP/1.1\r\nHost: g\r\nConnection: close\r\n\r\n".utf8), fixture: fixture)
            let head = try await exchange(
                Array("HEAD /v1/health HTTP/1.1\r\nHost: g\r\nConnection: close\r\n\r\n".utf8), fixture: fixture)
            #expect(head.0?.status == 200, "\(head.raw)")
            #expect(head.0?.headers["content-length"] == get.0?.headers["content-length"])
            #expect(head.0?.headers["content-length"] != nil)
            #expect(head.0?.body.isEmpty == true, "\(head.raw)")
            #expect(get.0?.body.isEmpty == false)

            let missing = try await exchange(
                Array("HEAD /v1/nothing HTTP/1.1\r\nHost: g\r\nConnection: close\r\n\r\n".utf8), fixture: fixture)
            #expect(missing.0?.status == 404)
            #expect(missing.0?.body.isEmpty == true)
        }
    }

    @Test func ingestRefusesAContentTypeOtherThanJSON() async throws {
        try await withServer(adjust: { withoutDictionaries(&$0) }) { fixture in
            let body = Data(#"{"image_path": "/tmp/x.jpg", "captions": {"en": "a dog"}}"#.utf8)
            let text = try await fixture.adminClient.raw(
                method: "POST", path: "/v1/items", body: body, contentType: "text/plain")
            #expect(text.status == 415)
            #expect(errorCode(text.body) == "unsupported_media_type", "\(String(decoding: text.body, as: UTF8.self))")
            let form = try await fixture.adminClient.raw(
                method: "POST", path: "/v1/items", body: body, contentType: "application/x-www-form-urlencoded")
            #expect(form.status == 415)
            // JSON with a charset parameter is JSON: the item is judged on its content (here, no such image).
            let json = try await fixture.adminClient.raw(
                method: "POST", path: "/v1/items", body: body, contentType: "application/json; charset=utf-8")
            #expect(json.status != 415)
        }
    }
}
