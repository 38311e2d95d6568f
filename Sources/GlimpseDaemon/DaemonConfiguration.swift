import Foundation
import GlimpseImage
import GlimpseIndex
import GlimpseService
import Logging
import GlimpseServer

/// What `glimpsed` reads from its JSON config file; every field is optional there and can be overridden by a flag.
public struct DaemonConfiguration: Sendable, Equatable {
    /// The query socket: search, item and job reads, status, health, the OpenAPI document.
    public var socketPath: String = "/run/glimpse/glimpse.sock"
    /// Permission bits of the query socket: who may search.
    public var socketMode: UInt16 = 0o660
    /// The admin socket: everything the query socket serves plus ingest, delete and rebuild.
    public var adminSocketPath: String = "/run/glimpse/admin.sock"
    /// Permission bits of the admin socket: by default only the daemon's own user may change the catalog.
    public var adminSocketMode: UInt16 = 0o600
    /// Group (name or numeric gid) both socket files are given; nil keeps the daemon's own group.
    public var socketGroup: String?
    /// A connection with no request in progress (or a request that stops arriving half-way) is closed after this.
    public var idleTimeout: Duration = .seconds(60)
    /// A request still unanswered after this gets 503 `timeout`.
    public var requestTimeout: Duration = .seconds(30)
    /// Queue an automatic rebuild once this fraction of an index's points are tombstoned; 0 disables.
    public var autoRebuildTombstoneFraction: Double = 0.2
    public var dataDirectory: String = "/var/lib/glimpse"
    /// `e5-small-q4.bin`, installed by `scripts/fetch-model.sh`.
    public var modelPath: String = "/var/lib/glimpse/models/e5-small-q4.bin"
    public var hnsw = HNSWParameters()
    public var maxBodyBytes: Int = 8 << 20
    public var logLevel: Logger.Level = .info
    /// Directories ingested images must lie under (after following symlinks); "/" allows any path.
    public var imageRoots: [String] = ["/"]
    /// Embedding spaces searched together; nil: one e5 space with `modelPath` (see `SpaceSetting`).
    public var spaces: [SpaceSetting]?
    /// Limits for decoding item images (spaces that embed images) and example images.
    public var imageMaxFileBytes: Int = ImageDecodingLimits.default.maxFileBytes
    public var imageMaxMegapixels: Double = ImageDecodingLimits.default.maxMegapixels
    /// cedict's EnWords.csv for cross-lingual query alignment (`scripts/fetch-dictionary.sh`). Missing or corrupt:
    /// an error is logged, alignment is off and plain vector search is served.
    public var dictionaryPath: String = FileManager.default.homeDirectoryForCurrentUser
        .appendingPathComponent(".local/share/glimpse/dictionaries/cedict-0.1.0-EnWords.csv").path
    /// CC-CEDICT read beside the word list (`scripts/fetch-dictionary.sh`); "" → the word list alone.
    public var cedictPath: String = FileManager.default.homeDirectoryForCurrentUser
        .appendingPathComponent(".local/share/glimpse/dictionaries/cc-cedict-2023-11-07.u8").path

    public init() {}

    /// Call after `validate()`, which checks the image roots.
    public func serviceConfiguration() throws -> ServiceConfiguration {
        var configuration = ServiceConfiguration(dataDirectory: URL(fileURLWithPath: dataDirectory, isDirectory: true), hnsw: hnsw)
        configuration.imageRoots = try ImageRoots(imageRoots)
        configuration.autoRebuildTombstoneFraction = autoRebuildTombstoneFraction
        configuration.imageDecodingLimits = ImageDecodingLimits(maxFileBytes: imageMaxFileBytes, maxMegapixels: imageMaxMegapixels)
        configuration.dictionaryPath = dictionaryPath
        configuration.cedictPath = cedictPath.isEmpty ? nil : cedictPath
        return configuration
    }

    /// Reads a config file; unknown keys are an error so a misspelt setting is never silently ignored.
    public static func load(from path: String) throws -> DaemonConfiguration {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ConfigurationError("cannot read config file \(path): \(error.localizedDescription)")
        }
        let file: ConfigurationFile
        do {
            let keys = (try JSONSerialization.jsonObject(with: data) as? [String: Any])?.keys.map { $0 } ?? []
            if let unknown = keys.sorted().first(where: { ConfigurationFile.CodingKeys(stringValue: $0) == nil }) {
                throw ConfigurationError("unknown setting \"\(unknown)\" in \(path)")
            }
            if let spaces = (try JSONSerialization.jsonObject(with: data) as? [String: Any])?["spaces"] as? [Any] {
                for (position, space) in spaces.enumerated() {
                    let keys = (space as? [String: Any])?.keys.sorted() ?? []
                    if let unknown = keys.first(where: { !SpaceSetting.allowedKeys.contains($0) }) {
                        throw ConfigurationError("unknown setting \"\(unknown)\" in spaces[\(position)] of \(path)")
                    }
                }
            }
            file = try JSONDecoder().decode(ConfigurationFile.self, from: data)
        } catch let error as ConfigurationError {
            throw error
        } catch {
            throw ConfigurationError("config file \(path) is not valid: \(error)")
        }
        var configuration = DaemonConfiguration()
        try file.apply(to: &configuration)
        return configuration
    }
}

/// The on-disk spelling of the settings.
struct ConfigurationFile: Decodable {
    var socketPath: String?
    var socketMode: String?
    var adminSocketPath: String?
    var adminSocketMode: String?
    var socketGroup: String?
    var idleTimeoutSeconds: Double?
    var requestTimeoutSeconds: Double?
    var autoRebuildTombstoneFraction: Double?
    var dataDirectory: String?
    var modelPath: String?
    var hnswM: Int?
    var hnswEfConstruction: Int?
    var hnswEfSearch: Int?
    var hnswEfSearchMax: Int?
    var maxBodyBytes: Int?
    var logLevel: String?
    var imageRoots: [String]?
    var spaces: [SpaceSetting]?
    var imageMaxFileBytes: Int?
    var imageMaxMegapixels: Double?
    var dictionaryPath: String?
    var cedictPath: String?

    enum CodingKeys: String, CodingKey {
        case socketPath = "socket_path"
        case socketMode = "socket_mode"
        case adminSocketPath = "admin_socket_path"
        case adminSocketMode = "admin_socket_mode"
        case socketGroup = "socket_group"
        case idleTimeoutSeconds = "idle_timeout_seconds"
        case requestTimeoutSeconds = "request_timeout_seconds"
        case autoRebuildTombstoneFraction = "auto_rebuild_tombstone_fraction"
        case dataDirectory = "data_directory"
        case modelPath = "model_path"
        case hnswM = "hnsw_m"
        case hnswEfConstruction = "hnsw_ef_construction"
        case hnswEfSearch = "hnsw_ef_search"
        case hnswEfSearchMax = "hnsw_ef_search_max"
        case maxBodyBytes = "max_body_bytes"
        case logLevel = "log_level"
        case imageRoots = "image_roots"
        case spaces
        case imageMaxFileBytes = "image_max_file_bytes"
        case imageMaxMegapixels = "image_max_megapixels"
        case dictionaryPath = "dictionary_path"
        case cedictPath = "cc_cedict_path"
    }

    func apply(to configuration: inout DaemonConfiguration) throws {
        if let socketPath { configuration.socketPath = socketPath }
        if let socketMode { configuration.socketMode = try DaemonConfiguration.mode(socketMode, setting: "socket_mode") }
        if let adminSocketPath { configuration.adminSocketPath = adminSocketPath }
        if let adminSocketMode {
            configuration.adminSocketMode = try DaemonConfiguration.mode(adminSocketMode, setting: "admin_socket_mode")
        }
        if let socketGroup { configuration.socketGroup = socketGroup }
        if let idleTimeoutSeconds {
            configuration.idleTimeout = try DaemonConfiguration.seconds(idleTimeoutSeconds, setting: "idle_timeout_seconds")
        }
        if let requestTimeoutSeconds {
            configuration.requestTimeout = try DaemonConfiguration.seconds(requestTimeoutSeconds, setting: "request_timeout_seconds")
        }
        if let autoRebuildTombstoneFraction { configuration.autoRebuildTombstoneFraction = autoRebuildTombstoneFraction }
        if let dataDirectory { configuration.dataDirectory = dataDirectory }
        if let modelPath { configuration.modelPath = modelPath }
        if let hnswM { configuration.hnsw.m = hnswM }
        if let hnswEfConstruction { configuration.hnsw.efConstruction = hnswEfConstruction }
        if let hnswEfSearch { configuration.hnsw.efSearchDefault = hnswEfSearch }
        if let hnswEfSearchMax { configuration.hnsw.efSearchMax = hnswEfSearchMax }
        if let maxBodyBytes { configuration.maxBodyBytes = maxBodyBytes }
        if let imageRoots { configuration.imageRoots = imageRoots }
        if let spaces { configuration.spaces = spaces }
        if let imageMaxFileBytes { configuration.imageMaxFileBytes = imageMaxFileBytes }
        if let imageMaxMegapixels { configuration.imageMaxMegapixels = imageMaxMegapixels }
        if let dictionaryPath { configuration.dictionaryPath = dictionaryPath }
        if let cedictPath { configuration.cedictPath = cedictPath }
        if let logLevel {
            guard let level = Logger.Level(rawValue: logLevel) else {
                throw ConfigurationError("log_level must be one of trace, debug, info, notice, warning, error, critical")
            }
            configuration.logLevel = level
        }
        try configuration.validate()
    }
}

extension DaemonConfiguration {
    /// Octal permission bits as written in the config file or on the command line ("0660").
    public static func mode(_ text: String, setting: String) throws -> UInt16 {
        guard let mode = UInt16(text, radix: 8), mode <= 0o777 else {
            throw ConfigurationError("\(setting) must be octal permission bits such as \"0660\", got \"\(text)\"")
        }
        return mode
    }

    /// A positive number of seconds, fractions allowed.
    public static func seconds(_ value: Double, setting: String) throws -> Duration {
        guard value.isFinite, value > 0, value <= 86_400 else {
            throw ConfigurationError("\(setting) must be a number of seconds above 0 and at most 86400, got \(value)")
        }
        return .milliseconds(Int64((value * 1_000).rounded(.up)))
    }

    public func validate() throws {
        guard (4...128).contains(hnsw.m) else { throw ConfigurationError("hnsw_m must be between 4 and 128") }
        guard hnsw.efConstruction >= hnsw.m else { throw ConfigurationError("hnsw_ef_construction must be at least hnsw_m") }
        guard hnsw.efSearchDefault >= 1, hnsw.efSearchDefault <= hnsw.efSearchMax else {
            throw ConfigurationError("hnsw_ef_search must be between 1 and hnsw_ef_search_max")
        }
        for path in [socketPath, adminSocketPath] {
            guard path.utf8.count < 108 else {
                throw ConfigurationError("socket path is longer than the 107 bytes a Unix socket address holds: \(path)")
            }
        }
        guard socketPath != adminSocketPath else {
            throw ConfigurationError("socket_path and admin_socket_path must differ: the admin socket is the only way to change the catalog")
        }
        if let socketGroup {
            _ = try SocketPermissions.groupID(socketGroup)
        }
        guard autoRebuildTombstoneFraction >= 0, autoRebuildTombstoneFraction < 1 else {
            throw ConfigurationError("auto_rebuild_tombstone_fraction must be at least 0 (off) and below 1, got \(autoRebuildTombstoneFraction)")
        }
        guard maxBodyBytes >= 1024 else { throw ConfigurationError("max_body_bytes must be at least 1024") }
        if let spaces {
            guard !spaces.isEmpty else { throw ConfigurationError("spaces must list at least one embedding space") }
            for (position, space) in spaces.enumerated() { try space.validate(at: position) }
        }
        guard imageMaxFileBytes >= 1024 else { throw ConfigurationError("image_max_file_bytes must be at least 1024") }
        guard imageMaxMegapixels.isFinite, imageMaxMegapixels > 0 else {
            throw ConfigurationError("image_max_megapixels must be a number above 0")
        }
        do {
            _ = try ImageRoots(imageRoots)
        } catch {
            throw ConfigurationError("image_roots: \(error.message)")
        }
    }
}
