import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// Sends one HTTP request over the daemon's Unix socket and collects the whole answer.
struct UnixSocketTransport: Sendable {
    let socketPath: String
    let timeout: Duration

    /// Largest answer read; real answers are a few KB, so this only guards against a runaway peer.
    static let maxResponseBytes = 64 << 20

    func send(
        method: String, path: String, body: Data?, contentType: String = "application/json"
    ) async throws(GlimpseClientError) -> (status: Int, body: Data) {
        guard let url = URL(httpURLWithSocketPath: socketPath, uri: path) else {
            throw GlimpseClientError(
                kind: .invalidRequest, socketPath: socketPath,
                message: "\(method) \(path) is not a valid request target")
        }
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = HTTPMethod(rawValue: method)
        request.headers.add(name: "Accept", value: "application/json")
        if let body {
            request.headers.add(name: "Content-Type", value: contentType)
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        do {
            let response = try await SharedUnixSocketClient.client.execute(request, timeout: timeAmount)
            let buffer = try await response.body.collect(upTo: Self.maxResponseBytes)
            return (Int(response.status.code), Data(buffer.readableBytesView))
        } catch {
            throw classify(error, method: method, path: path)
        }
    }

    private var timeAmount: TimeAmount {
        let (seconds, attoseconds) = timeout.components
        return .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }

    /// Turns AsyncHTTPClient/NIO errors into situations a user can act on: nobody listening, too slow, broken.
    private func classify(_ error: any Error, method: String, path: String) -> GlimpseClientError {
        let target = "\(method) \(Self.shortened(path))"
        if let ioError = error as? IOError, [ECONNRESET, EPIPE].contains(ioError.errnoCode) {
            return GlimpseClientError(
                kind: .transport, socketPath: socketPath, message: "the connection broke during \(target)")
        }
        if let ioError = error as? IOError {
            return GlimpseClientError(
                kind: .unreachable, socketPath: socketPath, message: Self.describe(errno: ioError.errnoCode))
        }
        if let connectionError = error as? NIOConnectionError {
            let errno = connectionError.connectionErrors.lazy.compactMap { ($0.error as? IOError)?.errnoCode }.first
            return GlimpseClientError(
                kind: .unreachable, socketPath: socketPath,
                message: errno.map(Self.describe(errno:)) ?? "\(connectionError)")
        }
        if case .unixDomainSocketPathTooLong = error as? SocketAddressError {
            return GlimpseClientError(
                kind: .invalidRequest, socketPath: socketPath,
                message:
                    "the socket path is too long for a Unix socket (\(socketPath.utf8.count) bytes; the limit is 107)")
        }
        if let socketError = error as? SocketAddressError {
            return GlimpseClientError(
                kind: .unreachable, socketPath: socketPath, message: "unusable socket path (\(socketError))")
        }
        if let clientError = error as? HTTPClientError {
            switch clientError {
            case .connectTimeout:
                return GlimpseClientError(kind: .unreachable, socketPath: socketPath, message: "connection timed out")
            case .deadlineExceeded, .readTimeout, .writeTimeout:
                return GlimpseClientError(
                    kind: .timedOut, socketPath: socketPath,
                    message:
                        "did not answer \(target) within \(timeout.formatted(.units(allowed: [.seconds, .milliseconds])))"
                )
            case .remoteConnectionClosed:
                return GlimpseClientError(
                    kind: .transport, socketPath: socketPath,
                    message: "the daemon closed the connection during \(target)")
            default:
                break
            }
        }
        if error is NIOTooManyBytesError {
            return GlimpseClientError(
                kind: .undecodableResponse, socketPath: socketPath,
                message: "the answer to \(target) is larger than \(Self.maxResponseBytes) bytes")
        }
        if error is CancellationError {
            return GlimpseClientError(kind: .transport, socketPath: socketPath, message: "\(target) was cancelled")
        }
        return GlimpseClientError(kind: .transport, socketPath: socketPath, message: "\(target): \(error)")
    }

    private static func describe(errno code: Int32) -> String {
        switch code {
        case ENOENT: "no such socket file"
        case ECONNREFUSED: "connection refused"
        case EACCES, EPERM: "permission denied"
        case ENOTSOCK: "not a socket"
        default: String(cString: strerror(code)).lowercased()
        }
    }

    /// Keeps error lines readable when the path holds a huge query.
    private static func shortened(_ path: String) -> String {
        path.count > 120 ? String(path.prefix(120)) + "…" : path
    }
}

/// One HTTP client for the whole process, on NIO's process-wide event loop group: created on first use and never
/// shut down, like `HTTPClient.shared`, so no event loops leak per call. Unlike `HTTPClient.shared` it does not retry
/// failed connects until the deadline, so "glimpsed is not running" is reported at once instead of after 30 s.
enum SharedUnixSocketClient {
    static let client: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = .seconds(5)
        return HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: configuration)
    }()
}
