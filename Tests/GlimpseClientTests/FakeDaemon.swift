import Foundation
import GlimpseAPI
import Hummingbird
import Logging
import Synchronization

/// A throw-away HTTP server on a temporary Unix socket that plays the daemon's part of a test, recording what
/// it was sent. Runs for the duration of `with(_:)` and is shut down afterwards.
final class FakeDaemon: Sendable {
    let socketPath: String
    private let recorded = Mutex<[RecordedRequest]>([])

    struct RecordedRequest: Sendable {
        var method: String
        /// The request target exactly as it arrived (still percent-encoded).
        var target: String
        var body: Data
    }

    var requests: [RecordedRequest] { recorded.withLock { $0 } }

    private init(socketPath: String) {
        self.socketPath = socketPath
    }

    /// Starts a server whose routes `configure` adds, runs `body` against it, then stops it.
    static func with<Result: Sendable>(
        configure: @Sendable (Router<BasicRequestContext>, FakeDaemon) -> Void,
        _ body: @Sendable (FakeDaemon) async throws -> Result
    ) async throws -> Result {
        let daemon = FakeDaemon(socketPath: temporarySocketPath())
        defer { unlink(daemon.socketPath) }
        let router = Router()
        router.middlewares.add(RecordingMiddleware(daemon: daemon))
        configure(router, daemon)
        let (running, runningContinuation) = AsyncStream<Void>.makeStream()
        let app = Application(
            router: router,
            configuration: .init(address: .unixDomainSocket(path: daemon.socketPath)),
            onServerRunning: { _ in runningContinuation.yield() },
            logger: quietLogger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.runService(gracefulShutdownSignals: []) }
            for await _ in running { break }
            defer { group.cancelAll() }
            return try await body(daemon)
        }
    }

    /// The server is stopped by cancellation, which Hummingbird logs as errors; they are not the test's concern.
    private static let quietLogger: Logger = {
        var logger = Logger(label: "fake-glimpsed")
        logger.logLevel = .critical
        return logger
    }()

    fileprivate func record(_ request: RecordedRequest) {
        recorded.withLock { $0.append(request) }
    }

    /// Short enough for the 108-byte limit of Unix socket paths.
    static func temporarySocketPath() -> String {
        "/tmp/glimpse-client-test-\(UUID().uuidString.prefix(8)).sock"
    }

    /// The JSON answer the real daemon gives, with a given status.
    static func json<Value: Encodable>(_ value: Value, status: HTTPResponse.Status = .ok) -> Response {
        let data = (try? JSONEncoder().encode(value)) ?? Data()
        return Response(
            status: status, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func error(_ status: HTTPResponse.Status, code: APIErrorCode, message: String) -> Response {
        json(ErrorResponse(code: code, message: message), status: status)
    }
}

private struct RecordingMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext
    let daemon: FakeDaemon

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        var request = request
        let body = try await request.collectBody(upTo: 16 << 20)
        daemon.record(.init(method: request.method.rawValue, target: request.uri.string, body: Data(buffer: body)))
        return try await next(request, context)
    }
}
