import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A raw connection to one of the daemon's Unix sockets, for what an HTTP client will not do (send a request a byte
/// at a time, or half of one and then nothing).
public final class RawSocket: Sendable {
    public let fd: Int32

    public init(path: String) throws {
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

    public func send(_ text: String) {
        _ = text.withCString { Glibc.send(fd, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
    }

    /// Sends `bytes` one at a time, `interval` apart, on a thread of its own, until done, the peer closes, or the
    /// returned flag is set.
    public func trickle(_ bytes: [UInt8], interval: Duration) -> StopFlag {
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
    public func readUntilClosed(limit: Int) async -> (data: Data, closed: Bool) {
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
    public func readAnswer(limit: Int) async -> RawHTTPAnswer? {
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
    public final class StopFlag: Sendable {
        private let flag = Mutex(false)
        public var isSet: Bool { flag.withLock { $0 } }
        public func set() { flag.withLock { $0 = true } }
    }
}

/// An answer read off a raw connection.
public struct RawHTTPAnswer: Sendable {
    public var status: Int
    public var headers: [String: String]
    public var body: Data

    /// Splits `data` at the first blank line; nil when no whole head arrived.
    public init?(_ data: Data) {
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
    public var errorCode: String? {
        struct Envelope: Decodable {
            struct Detail: Decodable { var code: String }
            var error: Detail
        }
        return (try? JSONDecoder().decode(Envelope.self, from: body))?.error.code
    }
}
