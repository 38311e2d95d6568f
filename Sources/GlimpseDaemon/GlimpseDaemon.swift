import Foundation
import GlimpseEmbedding
import GlimpseServer
import GlimpseService
import Hummingbird
import Logging
import Metrics
import ServiceLifecycle

#if canImport(Glibc)
import Glibc
#endif

/// Wires the service to two HTTP servers on Unix sockets (query and admin) and runs them until SIGTERM/SIGINT.
/// Shutdown order matters: the servers stop accepting first, then the worker finishes its chunk and snapshots.
public struct GlimpseDaemon: Sendable {
    public let configuration: DaemonConfiguration
    public let logger: Logger
    /// The Prometheus registry both sockets' `GET /metrics` render; the service records its search stages into it.
    public let metrics: ServerMetrics

    public init(configuration: DaemonConfiguration, logger: Logger, metrics: ServerMetrics = ServerMetrics()) {
        self.configuration = configuration
        self.logger = logger
        self.metrics = metrics
    }

    public func run() async throws {
        let configuration = self.configuration
        try configuration.validate()
        // Before any file or socket exists: sockets are born private and opened up only once their group is set.
        SocketPermissions.restrictUmask()
        let lock = try DataDirectoryLock(directory: configuration.dataDirectory)
        defer { lock.release() }
        if configuration.adminSocketMode & 0o002 != 0 {
            logger.warning(
                "SECURITY: the admin socket is open to every user of this machine (admin_socket_mode \(String(configuration.adminSocketMode, radix: 8)), allowed by admin_socket_max_mode): anyone can ingest, delete and rebuild",
                metadata: ["admin_socket": "\(configuration.adminSocketPath)"])
        }
        try SocketGuard.prepare(path: configuration.socketPath)
        try SocketGuard.prepare(path: configuration.adminSocketPath)

        var serviceConfiguration = try configuration.serviceConfiguration()
        logger.info("loading models", metadata: ["spaces": "\(configuration.effectiveSpaces.count)"])
        let models = try configuration.loadSpaceModels(fingerprints: &serviceConfiguration.modelFingerprints)
        let labeler = configuration.recognizeLabeler(
            models: models, fingerprints: serviceConfiguration.modelFingerprints)
        let service = try GlimpseService(
            configuration: serviceConfiguration, spaces: models, modelPath: configuration.modelPath, logger: logger,
            metrics: metrics.serviceMetrics, labeler: labeler)
        if let labeler {
            // Label vectors are read from the cache or computed in the background; requests wait only if they
            // arrive before that is done.
            logger.info(
                "recognize labels",
                metadata: ["space": "\(labeler.spaceName)", "labels": "\(labeler.vocabulary.labels.count)"])
            labeler.prepare()
        }
        let metrics = self.metrics

        let logger = self.logger
        let readySockets = SharedValue(0)
        let failure = SharedValue<(any Error)?>(nil)
        let onReady: @Sendable () async -> Void = {
            // READY=1 only once both sockets accept connections with their final permissions.
            guard
                readySockets.withLock({ count in
                    count += 1
                    return count
                }) == 2
            else { return }
            logger.info(
                "glimpsed ready",
                metadata: ["socket": "\(configuration.socketPath)", "admin_socket": "\(configuration.adminSocketPath)"])
            SystemdNotifier.notify(
                "READY=1\nSTATUS=serving on \(configuration.socketPath) and \(configuration.adminSocketPath)")
        }
        let onFailure: @Sendable (any Error) -> Void = { error in failure.withLock { $0 = $0 ?? error } }
        let query = SocketServer.application(
            service: service, settings: configuration.socketSettings(role: .query), logger: logger, onReady: onReady,
            onFailure: onFailure, metrics: metrics)
        let admin = SocketServer.application(
            service: service, settings: configuration.socketSettings(role: .admin), logger: logger, onReady: onReady,
            onFailure: onFailure, metrics: metrics)

        let group = ServiceGroup(
            configuration: .init(
                // Shut down in reverse order: tell systemd, stop accepting requests, then drain the worker.
                services: [
                    .init(service: service), .init(service: query), .init(service: admin),
                    .init(service: StoppingNotifier(), successTerminationBehavior: .ignore),
                ],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        try await group.run()
        try? FileManager.default.removeItem(atPath: configuration.socketPath)
        try? FileManager.default.removeItem(atPath: configuration.adminSocketPath)
        if let error = failure.value { throw error }
        logger.info("glimpsed stopped")
    }
}

extension DaemonConfiguration {
    public func socketSettings(role: SocketRole) -> SocketServer.Settings {
        SocketServer.Settings(
            path: role == .query ? socketPath : adminSocketPath, role: role,
            mode: role == .query ? socketMode : adminSocketMode, group: socketGroup, maxBodyBytes: maxBodyBytes,
            idleTimeout: idleTimeout, requestTimeout: requestTimeout, connectionLimits: connectionLimits)
    }
}

extension GlimpseDaemon {
    /// What glimpsed does once its arguments are parsed: logging at the configured level and format, the metrics
    /// backend, the deprecation warnings from reading the settings, then the daemon until it stops. Returns the
    /// process exit status. The only place the process-wide logging and metrics systems are bootstrapped.
    public static func run(configuration: DaemonConfiguration, warnings: [String]) async -> Int32 {
        let level = configuration.logLevel
        let format = configuration.logFormat
        LoggingSystem.bootstrap { label in
            switch format {
            case .text:
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            case .json:
                var handler = JSONLinesLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            }
        }
        let metrics = ServerMetrics()
        MetricsSystem.bootstrap(metrics.factory)
        let logger = Logger(label: "glimpsed")
        for warning in warnings { logger.warning("\(warning)") }
        do {
            try await GlimpseDaemon(configuration: configuration, logger: logger, metrics: metrics).run()
            return 0
        } catch {
            logger.critical("glimpsed cannot run: \(error)")
            return 1
        }
    }
}
