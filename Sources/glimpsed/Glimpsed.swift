import ArgumentParser
import Foundation
import GlimpseDaemon
import GlimpseServer
import Logging

@main
struct Glimpsed: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "glimpsed",
        abstract: "Glimpse cross-lingual image search daemon: HTTP/JSON over a Unix domain socket.")

    @Option(name: .long, help: "JSON config file (settings: socket_path, socket_mode, admin_socket_path, admin_socket_mode, socket_group, idle_timeout_seconds, request_timeout_seconds, auto_rebuild_tombstone_fraction, data_directory, model_path, hnsw_m, hnsw_ef_construction, hnsw_ef_search, hnsw_ef_search_max, max_body_bytes, log_level, image_roots, spaces, image_max_file_bytes, image_max_megapixels).")
    var config: String?

    @Option(name: .long, help: "Query socket: search, item and job reads, status (default /run/glimpse/glimpse.sock).")
    var socket: String?

    @Option(name: .long, help: "Query socket permission bits, octal (default 0660).")
    var socketMode: String?

    @Option(name: .long, help: "Admin socket: also ingest, delete, rebuild (default /run/glimpse/admin.sock).")
    var adminSocket: String?

    @Option(name: .long, help: "Admin socket permission bits, octal (default 0600).")
    var adminSocketMode: String?

    @Option(name: .long, help: "Group (name or gid) given to both sockets (default: the daemon's own group).")
    var socketGroup: String?

    @Option(name: .long, help: "Seconds before an idle or stalled connection is closed (default 60).")
    var idleTimeout: Double?

    @Option(name: .long, help: "Seconds before an unfinished request is answered 503 timeout (default 30).")
    var requestTimeout: Double?

    @Option(name: .long, help: "Queue a rebuild once this fraction of an index is tombstoned; 0 never (default 0.2).")
    var autoRebuildTombstoneFraction: Double?

    @Option(name: .long, help: "Data directory holding the catalog and index snapshots (default /var/lib/glimpse).")
    var dataDir: String?

    @Option(name: .long, help: "Path of e5-small-q4.bin (install it with scripts/fetch-model.sh).")
    var model: String?

    @Option(name: .long, help: "HNSW M: graph degree; only takes effect on an index built anew.")
    var hnswM: Int?

    @Option(name: .long, help: "HNSW efConstruction.")
    var efConstruction: Int?

    @Option(name: .long, help: "Default efSearch for queries that do not pass ef.")
    var efSearch: Int?

    @Option(name: .long, help: "A directory ingested images must lie under, symlinks followed (repeatable; default: any path).")
    var imageRoot: [String] = []

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String?

    func run() async throws {
        var configuration = DaemonConfiguration()
        if let config {
            configuration = try DaemonConfiguration.load(from: config)
        }
        if let socket { configuration.socketPath = socket }
        do {
            if let socketMode { configuration.socketMode = try DaemonConfiguration.mode(socketMode, setting: "--socket-mode") }
            if let adminSocketMode {
                configuration.adminSocketMode = try DaemonConfiguration.mode(adminSocketMode, setting: "--admin-socket-mode")
            }
            if let idleTimeout { configuration.idleTimeout = try DaemonConfiguration.seconds(idleTimeout, setting: "--idle-timeout") }
            if let requestTimeout {
                configuration.requestTimeout = try DaemonConfiguration.seconds(requestTimeout, setting: "--request-timeout")
            }
        } catch let error as ConfigurationError {
            throw ValidationError(error.description)
        }
        if let adminSocket { configuration.adminSocketPath = adminSocket }
        if let socketGroup { configuration.socketGroup = socketGroup }
        if let autoRebuildTombstoneFraction { configuration.autoRebuildTombstoneFraction = autoRebuildTombstoneFraction }
        if let dataDir {
            configuration.dataDirectory = dataDir
            if model == nil && config == nil {
                configuration.modelPath = (dataDir as NSString).appendingPathComponent("models/e5-small-q4.bin")
            }
        }
        if let model { configuration.modelPath = model }
        if let hnswM { configuration.hnsw.m = hnswM }
        if let efConstruction { configuration.hnsw.efConstruction = efConstruction }
        if let efSearch { configuration.hnsw.efSearchDefault = efSearch }
        if !imageRoot.isEmpty { configuration.imageRoots = imageRoot }
        if let logLevel {
            guard let level = Logger.Level(rawValue: logLevel) else {
                throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical")
            }
            configuration.logLevel = level
        }
        try configuration.validate()

        let level = configuration.logLevel
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "glimpsed")
        do {
            try await GlimpseDaemon(configuration: configuration, logger: logger).run()
        } catch {
            logger.critical("glimpsed cannot run: \(error)")
            throw ExitCode.failure
        }
    }
}
