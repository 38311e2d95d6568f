import GlimpseService
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore

/// Builds the HTTP server for one of the daemon's sockets. Both serve the same read routes; only the admin socket
/// serves ingest, delete and rebuild, and it logs who asked (peer credentials).
public enum SocketServer {
    public struct Settings: Sendable {
        public var path: String
        public var role: SocketRole
        public var mode: UInt16
        public var group: String?
        public var maxBodyBytes: Int
        public var idleTimeout: Duration
        public var requestTimeout: Duration
        public var connectionLimits: ConnectionLimits

        public init(
            path: String, role: SocketRole, mode: UInt16, group: String?, maxBodyBytes: Int, idleTimeout: Duration,
            requestTimeout: Duration, connectionLimits: ConnectionLimits = ConnectionLimits()
        ) {
            self.path = path
            self.role = role
            self.mode = mode
            self.group = group
            self.maxBodyBytes = maxBodyBytes
            self.idleTimeout = idleTimeout
            self.requestTimeout = requestTimeout
            self.connectionLimits = connectionLimits
        }
    }

    /// The router of one socket: every endpoint; the admin ones sit in one group behind `AdminOnlyMiddleware`, which
    /// answers 403 on the query socket.
    static func router(service: GlimpseService, settings: Settings, metrics: ServerMetrics = ServerMetrics())
        -> Router<GlimpseRequestContext>
    {
        let router = Router(context: GlimpseRequestContext.self)
        router.add(middleware: RequestMetricsMiddleware(factory: metrics.factory))
        router.add(middleware: APIErrorMiddleware())
        if settings.role == .admin {
            router.add(middleware: PeerCredentialsMiddleware())
        }
        let deadline = RequestDeadline(limit: settings.requestTimeout)
        let v1 = router.group("v1")
        let admin = v1.group().add(middleware: AdminOnlyMiddleware(role: settings.role))
        ItemRoutes(service: service, maxBodyBytes: settings.maxBodyBytes, deadline: deadline).register(
            on: v1, admin: admin)
        JobRoutes(service: service, deadline: deadline).register(on: v1)
        SearchRoutes(service: service, deadline: deadline).register(on: v1)
        ImageSearchRoutes(service: service, deadline: deadline, maxBodyBytes: settings.maxBodyBytes).register(on: v1)
        RecognizeRoutes(service: service, deadline: deadline, maxBodyBytes: settings.maxBodyBytes).register(on: v1)
        SystemRoutes(service: service, deadline: deadline).register(on: v1)
        AdminRoutes(service: service, deadline: deadline).register(admin: admin)
        MetricsRoutes(service: service, metrics: metrics, deadline: deadline).register(on: router)
        return router
    }

    /// The server as a swift-service-lifecycle service. Call `SocketPermissions.restrictUmask()` first: the socket
    /// must be created private and only then opened up (`onReady` runs after the group and mode are set).
    /// A socket whose permissions cannot be set is closed again and fails the whole daemon.
    /// `metrics`: the registry `GET /metrics` renders and requests are counted in (glimpsed shares one between both
    /// sockets and the service).
    public static func application(
        service: GlimpseService, settings: Settings, logger: Logger, onReady: @escaping @Sendable () async -> Void,
        onFailure: @escaping @Sendable (any Error) -> Void, metrics: ServerMetrics = ServerMetrics()
    ) -> some ApplicationProtocol {
        var logger = logger
        logger[metadataKey: "socket"] = "\(settings.role.rawValue)"
        let serverLogger = logger
        let connections = ConnectionCounter(limit: settings.connectionLimits.maxConnections)
        let http1Configuration = HTTP1Channel.Configuration(
            idleTimeout: .nanoseconds(Int64(settings.idleTimeout.nanoseconds)))
        return Application(
            router: router(service: service, settings: settings, metrics: metrics),
            server: HTTPServerBuilder { responder in
                GlimpseHTTP1Channel(
                    http1: HTTP1Channel(responder: responder, configuration: http1Configuration),
                    limits: settings.connectionLimits, connections: connections)
            },
            configuration: .init(address: .unixDomainSocket(path: settings.path), serverName: "glimpsed"),
            onServerRunning: { channel in
                do {
                    try SocketPermissions.apply(path: settings.path, mode: settings.mode, group: settings.group)
                } catch {
                    serverLogger.critical("\(error)")
                    onFailure(error)
                    try? await channel.close()
                    return
                }
                serverLogger.info(
                    "socket ready",
                    metadata: [
                        "path": "\(settings.path)", "mode": "\(String(settings.mode, radix: 8))",
                        "group": "\(settings.group ?? "(daemon's)")",
                    ])
                await onReady()
            },
            logger: logger)
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
