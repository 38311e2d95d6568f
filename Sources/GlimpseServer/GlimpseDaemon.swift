import Foundation
import GlimpseEmbedding
import GlimpseService
import Hummingbird
import Logging
import ServiceLifecycle

#if canImport(Glibc)
import Glibc
#endif

/// Wires the service to an HTTP server on a Unix socket and runs both until SIGTERM/SIGINT.
/// Shutdown order matters: the server stops accepting first, then the worker finishes its chunk and snapshots.
public struct GlimpseDaemon: Sendable {
    public let configuration: DaemonConfiguration
    public let logger: Logger

    public init(configuration: DaemonConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    public func run() async throws {
        let configuration = self.configuration
        try configuration.validate()
        let lock = try DataDirectoryLock(directory: configuration.dataDirectory)
        defer { lock.release() }
        try SocketGuard.prepare(path: configuration.socketPath)

        logger.info("loading model", metadata: ["path": "\(configuration.modelPath)"])
        let embedder = try E5TextEmbedder(modelPath: configuration.modelPath)
        let service = try GlimpseService(
            configuration: try configuration.serviceConfiguration(), embedders: [embedder],
            modelPath: configuration.modelPath, logger: logger)

        let router = Router()
        router.add(middleware: APIErrorMiddleware())
        let v1 = router.group("v1")
        ItemRoutes(service: service, maxBodyBytes: configuration.maxBodyBytes).register(on: v1)
        JobRoutes(service: service).register(on: v1)
        SearchRoutes(service: service).register(on: v1)
        SystemRoutes(service: service).register(on: v1)
        AdminRoutes(service: service).register(on: v1)

        let logger = self.logger
        let application = Application(
            router: router,
            configuration: .init(address: .unixDomainSocket(path: configuration.socketPath), serverName: "glimpsed"),
            onServerRunning: { _ in
                // The socket file is created with the process umask; set the configured mode before anyone relies on it.
                if chmod(configuration.socketPath, mode_t(configuration.socketMode)) != 0 {
                    logger.error("cannot set socket permissions", metadata: ["errno": "\(errno)"])
                }
                logger.info("glimpsed ready", metadata: ["socket": "\(configuration.socketPath)"])
                SystemdNotifier.notify("READY=1\nSTATUS=serving on \(configuration.socketPath)")
            },
            logger: logger)

        let group = ServiceGroup(
            configuration: .init(
                // Shut down in reverse order: tell systemd, stop accepting requests, then drain the worker.
                services: [.init(service: service), .init(service: application), .init(service: StoppingNotifier(), successTerminationBehavior: .ignore)],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        try await group.run()
        try? FileManager.default.removeItem(atPath: configuration.socketPath)
        logger.info("glimpsed stopped")
    }
}
