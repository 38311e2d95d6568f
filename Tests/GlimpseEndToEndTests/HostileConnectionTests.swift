import Foundation
import GlimpseTestSupport
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A raw connection to one of the daemon's Unix sockets, for what an HTTP client will not do (send a request a byte
/// at a time, or half of one and then nothing).
final class RawSocket: Sendable {
    let fd: Int32

    init(path: String) throws {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard result == 0 else {
            let code = errno
            close(fd)
            throw POSIXError(POSIXErrorCode(rawValue: code) ?? .EIO)
        }
        self.fd = fd
    }

    func send(_ text: String) {
        _ = text.withCString { Glibc.send(fd, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
    }

    /// Sends `bytes` one at a time, `interval` apart, on a thread of its own, until done, the peer closes, or the
    /// returned flag is set.
    func trickle(_ bytes: [UInt8], interval: Duration) -> StopFlag {
        let stop = StopFlag()
        let fd = fd
        let seconds = Double(interval.components.seconds) + Double(interval.components.attoseconds) / 1e18
        Thread {
            for byte in bytes where !stop.isSet {
                var one = byte
                if Glibc.send(fd, &one, 1, Int32(MSG_NOSIGNAL)) < 0 { return }
                Thread.sleep(forTimeInterval: seconds)
            }
        }.start()
        return stop
    }

    /// Reads until the peer closes or `limit` seconds pass (a guard against hanging, not a measurement), on a
    /// thread of its own: a blocking `recv` on the test's cooperative pool would starve the test's other tasks.
    func readUntilClosed(limit: Int) async -> (data: Data, closed: Bool) {
        let fd = fd
        return await withCheckedContinuation { continuation in
            Thread {
                var timeout = timeval(tv_sec: limit, tv_usec: 0)
                setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
                var received = Data()
                var buffer = [UInt8](repeating: 0, count: 4096)
                while true {
                    let count = recv(fd, &buffer, buffer.count, 0)
                    if count <= 0 {
                        continuation.resume(returning: (received, count == 0))
                        return
                    }
                    received.append(contentsOf: buffer[0..<count])
                }
            }.start()
        }
    }

    /// Reads one answer with a Content-Length (keep-alive leaves the connection open); nil if none came.
    func readAnswer(limit: Int) async -> RawHTTPAnswer? {
        let fd = fd
        return await withCheckedContinuation { continuation in
            Thread {
                var timeout = timeval(tv_sec: limit, tv_usec: 0)
                setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
                var received = Data()
                var buffer = [UInt8](repeating: 0, count: 4096)
                while true {
                    if let answer = RawHTTPAnswer(received), let length = Int(answer.headers["content-length"] ?? ""),
                        answer.body.count >= length
                    {
                        continuation.resume(returning: answer)
                        return
                    }
                    let count = recv(fd, &buffer, buffer.count, 0)
                    if count <= 0 {
                        continuation.resume(returning: nil)
                        return
                    }
                    received.append(contentsOf: buffer[0..<count])
                }
            }.start()
        }
    }

    deinit { close(fd) }

    /// A stop flag shared with a trickling thread.
    final class StopFlag: Sendable {
        private let flag = Mutex(false)
        var isSet: Bool { flag.withLock { $0 } }
        func set() { flag.withLock { $0 = true } }
    }
}

/// An answer read off a raw connection.
struct RawHTTPAnswer {
    var status: Int
    var headers: [String: String]
    var body: Data

    /// Splits `data` at the first blank line; nil when no whole head arrived.
    init?(_ data: Data) {
        guard let end = data.firstRange(of: Data("\r\n\r\n".utf8)) else { return nil }
        let lines = String(decoding: data[..<end.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
        status = Int(lines[0].split(separator: " ").dropFirst().first ?? "") ?? 0
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(
                in: .whitespaces)
        }
        self.headers = headers
        body = Data(data[end.upperBound...])
    }

    /// The `error.code` of a JSON error envelope, nil if the body is not one.
    var errorCode: String? {
        struct Envelope: Decodable {
            struct Detail: Decodable { var code: String }
            var error: Detail
        }
        return (try? JSONDecoder().decode(Envelope.self, from: body))?.error.code
    }
}

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
