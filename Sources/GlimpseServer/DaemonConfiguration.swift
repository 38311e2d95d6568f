import Foundation
import GlimpseIndex
import GlimpseService
import Logging

/// What `glimpsed` reads from its JSON config file; every field is optional there and can be overridden by a flag.
public struct DaemonConfiguration: Sendable, Equatable {
    public var socketPath: String = "/run/glimpse/glimpse.sock"
    /// Permission bits of the socket file: who may talk to the daemon at all.
    public var socketMode: UInt16 = 0o660
    public var dataDirectory: String = "/var/lib/glimpse"
    /// `e5-small-q4.bin`, installed by `scripts/fetch-model.sh`.
    public var modelPath: String = "/var/lib/glimpse/models/e5-small-q4.bin"
    public var hnsw = HNSWParameters()
    public var maxBodyBytes: Int = 8 << 20
    public var logLevel: Logger.Level = .info
    /// Directories ingested images must lie under (after following symlinks); "/" allows any path.
    public var imageRoots: [String] = ["/"]
    /// cedict's EnWords.csv for cross-lingual query alignment (`scripts/fetch-dictionary.sh`). Missing or corrupt:
    /// an error is logged, alignment is off and plain vector search is served.
    public var dictionaryPath: String = FileManager.default.homeDirectoryForCurrentUser
        .appendingPathComponent(".local/share/glimpse/dictionaries/cedict-0.1.0-EnWords.csv").path

    public init() {}

    /// Call after `validate()`, which checks the image roots.
    public func serviceConfiguration() throws -> ServiceConfiguration {
        var configuration = ServiceConfiguration(dataDirectory: URL(fileURLWithPath: dataDirectory, isDirectory: true), hnsw: hnsw)
        configuration.imageRoots = try ImageRoots(imageRoots)
        configuration.dictionaryPath = dictionaryPath
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

public struct ConfigurationError: Error, CustomStringConvertible, LocalizedError {
    public let description: String
    public init(_ description: String) { self.description = description }
    public var errorDescription: String? { description }
}

/// The on-disk spelling of the settings.
struct ConfigurationFile: Decodable {
    var socketPath: String?
    var socketMode: String?
    var dataDirectory: String?
    var modelPath: String?
    var hnswM: Int?
    var hnswEfConstruction: Int?
    var hnswEfSearch: Int?
    var hnswEfSearchMax: Int?
    var maxBodyBytes: Int?
    var logLevel: String?
    var imageRoots: [String]?
    var dictionaryPath: String?

    enum CodingKeys: String, CodingKey {
        case socketPath = "socket_path"
        case socketMode = "socket_mode"
        case dataDirectory = "data_directory"
        case modelPath = "model_path"
        case hnswM = "hnsw_m"
        case hnswEfConstruction = "hnsw_ef_construction"
        case hnswEfSearch = "hnsw_ef_search"
        case hnswEfSearchMax = "hnsw_ef_search_max"
        case maxBodyBytes = "max_body_bytes"
        case logLevel = "log_level"
        case imageRoots = "image_roots"
        case dictionaryPath = "dictionary_path"
    }

    func apply(to configuration: inout DaemonConfiguration) throws {
        if let socketPath { configuration.socketPath = socketPath }
        if let socketMode {
            guard let mode = UInt16(socketMode, radix: 8), mode <= 0o777 else {
                throw ConfigurationError("socket_mode must be octal permission bits such as \"0660\", got \"\(socketMode)\"")
            }
            configuration.socketMode = mode
        }
        if let dataDirectory { configuration.dataDirectory = dataDirectory }
        if let modelPath { configuration.modelPath = modelPath }
        if let hnswM { configuration.hnsw.m = hnswM }
        if let hnswEfConstruction { configuration.hnsw.efConstruction = hnswEfConstruction }
        if let hnswEfSearch { configuration.hnsw.efSearchDefault = hnswEfSearch }
        if let hnswEfSearchMax { configuration.hnsw.efSearchMax = hnswEfSearchMax }
        if let maxBodyBytes { configuration.maxBodyBytes = maxBodyBytes }
        if let imageRoots { configuration.imageRoots = imageRoots }
        if let dictionaryPath { configuration.dictionaryPath = dictionaryPath }
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
    public func validate() throws {
        guard (4...128).contains(hnsw.m) else { throw ConfigurationError("hnsw_m must be between 4 and 128") }
        guard hnsw.efConstruction >= hnsw.m else { throw ConfigurationError("hnsw_ef_construction must be at least hnsw_m") }
        guard hnsw.efSearchDefault >= 1, hnsw.efSearchDefault <= hnsw.efSearchMax else {
            throw ConfigurationError("hnsw_ef_search must be between 1 and hnsw_ef_search_max")
        }
        guard socketPath.utf8.count < 108 else {
            throw ConfigurationError("socket path is longer than the 107 bytes a Unix socket address holds: \(socketPath)")
        }
        guard maxBodyBytes >= 1024 else { throw ConfigurationError("max_body_bytes must be at least 1024") }
        do {
            _ = try ImageRoots(imageRoots)
        } catch {
            throw ConfigurationError("image_roots: \(error.message)")
        }
    }
}
