import Foundation
import GlimpseClient
import GlimpseEmbedding
import GlimpseService
import GlimpseTestSupport
import Logging
import ServiceLifecycle
import Synchronization
import Testing

@testable import GlimpseDaemon
@testable import GlimpseServer

#if canImport(Glibc)
import Glibc
#endif

/// TEST ONLY, never reachable from the daemon: a bag-of-words embedder whose query embeddings take `queryDelay`,
/// standing in for a model slow enough to hit the request timeout. Passages are embedded at once.
struct TestOnlySlowEmbedder: TextEmbedder {
    var spaceName = "test-only-slow"
    var dimension = 16
    var queryDelay: Duration = .zero

    func embed(_ texts: [String], role: EmbeddingRole) throws -> [[Float]] {
        if role == .query, queryDelay > .zero {
            Thread.sleep(
                forTimeInterval: Double(queryDelay.components.seconds) + Double(queryDelay.components.attoseconds)
                    / 1e18)
        }
        return texts.map { text in
            var vector = [Float](repeating: 0, count: dimension)
            for byte in text.utf8 { vector[Int(byte) % dimension] += 1 }
            let norm = vector.reduce(0) { $0 + $1 * $1 }.squareRoot()
            if norm == 0 {
                vector[0] = 1
                return vector
            }
            return vector.map { $0 / norm }
        }
    }
}

/// Remembers every log entry, so tests can check what the daemon logged and with which metadata.
final class RecordedLog: Sendable {
    struct Entry: Sendable {
        var level: Logger.Level
        var message: String
        var metadata: [String: String]
    }

    private let entries = Mutex<[Entry]>([])  // appended from any request's task

    func append(_ entry: Entry) { entries.withLock { $0.append(entry) } }
    var all: [Entry] { entries.withLock { $0 } }

    func logger() -> Logger {
        Logger(label: "glimpsed-test") { _ in RecordingHandler(log: self) }
    }
}

private struct RecordingHandler: LogHandler {
    let log: RecordedLog
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .info

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        log.append(.init(level: event.level, message: "\(event.message)", metadata: merged.mapValues { "\($0)" }))
    }
}

/// Both socket servers of a daemon over a service with a test-only embedder, in a temporary directory that other
/// users may traverse (so the permission tests are about the socket files alone).
final class ServerFixture: Sendable {
    let directory: URL
    let configuration: DaemonConfiguration
    let log = RecordedLog()
    let service: GlimpseService
    private let group: ServiceGroup
    private let running: Task<Void, any Error>

    init(embedder: any TextEmbedder = TestOnlySlowEmbedder(), adjust: (inout DaemonConfiguration) -> Void = { _ in })
        async throws
    {
        directory = URL(fileURLWithPath: "/tmp").appendingPathComponent("glimpse-server-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        chmod(directory.path, 0o755)
        var configuration = DaemonConfiguration()
        configuration.socketPath = directory.appendingPathComponent("query.sock").path
        configuration.adminSocketPath = directory.appendingPathComponent("admin.sock").path
        configuration.dataDirectory = directory.appendingPathComponent("data").path
        adjust(&configuration)
        try configuration.validate()
        self.configuration = configuration
        let logger = log.logger()
        // A configuration listing spaces loads them as glimpsed does (real models only); otherwise `embedder`.
        var serviceConfiguration = try configuration.serviceConfiguration()
        let spaces =
            configuration.spaces == nil
            ? [SpaceModel(text: embedder)]
            : try configuration.loadSpaceModels(fingerprints: &serviceConfiguration.modelFingerprints)
        let service = try GlimpseService(
            configuration: serviceConfiguration, spaces: spaces, modelPath: "(test)", logger: logger)
        self.service = service
        SocketPermissions.restrictUmask()
        let ready = AsyncStream<Void>.makeStream()
        let failure = SharedValue<(any Error)?>(nil)
        let servers = [SocketRole.query, .admin].map { role in
            SocketServer.application(
                service: service, settings: configuration.socketSettings(role: role), logger: logger,
                onReady: { _ = ready.continuation.yield() }, onFailure: { error in failure.withLock { $0 = error } })
        }
        let group = ServiceGroup(
            configuration: .init(
                services: [.init(service: service)] + servers.map { .init(service: $0) }, logger: logger))
        self.group = group
        running = Task { try await group.run() }
        var count = 0
        for await _ in ready.stream {
            count += 1
            if count == 2 { break }
        }
        if let error = failure.value { throw error }
    }

    var queryClient: GlimpseClient { GlimpseClient(socketPath: configuration.socketPath) }
    var adminClient: GlimpseClient { GlimpseClient(socketPath: configuration.adminSocketPath) }

    func image(_ name: String) throws -> String {
        let url = directory.appendingPathComponent(name)
        try TestImages.jpeg(comment: "image bytes of \(name)").write(to: url)
        return url.path
    }

    func stop() async {
        await group.triggerGracefulShutdown()
        _ = try? await running.value
        try? FileManager.default.removeItem(at: directory)
    }
}

/// Runs `body` against a fresh `ServerFixture` and always stops it afterwards (both servers shut down, the directory
/// removed), whether `body` returns or throws: the next test never meets this one's sockets.
func withServer<Result>(
    embedder: any TextEmbedder = TestOnlySlowEmbedder(), adjust: (inout DaemonConfiguration) -> Void = { _ in },
    _ body: (ServerFixture) async throws -> Result
) async throws -> Result {
    let fixture = try await ServerFixture(embedder: embedder, adjust: adjust)
    do {
        let result = try await body(fixture)
        await fixture.stop()
        return result
    } catch {
        await fixture.stop()
        throw error
    }
}

/// Decodes the `{"error": {"code", …}}` body of an error answer.
func errorCode(_ body: Data) -> String? {
    struct Answer: Decodable {
        struct Detail: Decodable { var code: String }
        var error: Detail
    }
    return (try? JSONDecoder().decode(Answer.self, from: body))?.error.code
}

/// A raw connection to a Unix socket (GlimpseTestSupport's), for what an HTTP client will not do.
typealias RawUnixConnection = RawSocket
