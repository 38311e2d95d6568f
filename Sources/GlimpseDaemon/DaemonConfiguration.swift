import Foundation
import GlimpseCLIP
import GlimpseImage
import GlimpseIndex
import GlimpseServer
import GlimpseService
import Logging

/// The daemon's settings, resolved. Each field's key, flag, environment variable, default and doc live in one row of
/// `DaemonSettings.table`; `init()` fills every field from that table, so the placeholder values below never show.
public struct DaemonConfiguration: Sendable, Equatable {
    public var socketPath = ""
    public var socketMode: UInt16 = 0
    public var adminSocketPath = ""
    public var adminSocketMode: UInt16 = 0
    /// nil keeps the daemon's own group.
    public var socketGroup: String?
    public var idleTimeout: Duration = .zero
    public var requestTimeout: Duration = .zero
    public var autoRebuildTombstoneFraction: Double = 0
    public var queryCacheEntries = 0
    public var queryCacheMegabytes = 0
    public var queryBatchWindowMilliseconds: Double = 0
    public var queryBatchMaxTexts = 0
    public var queryExpansionMaxParts = 0
    public var queryExpansionMaxTexts = 0
    public var queryExpansionMaxTokens = 0
    /// 0: one encoder thread per core.
    public var encoderThreads = 0
    public var dataDirectory = ""
    public var modelPath = ""
    public var hnsw = HNSWParameters()
    /// `index_vector_encoding` as written, checked by `validate()` (`hnsw.vectorEncoding` holds the parsed value).
    public var indexVectorEncoding = HNSWParameters.VectorEncoding.float32.rawValue
    public var maxBodyBytes = 0
    public var logLevel: Logger.Level = .info
    /// The `log_format` setting as given; `validate()` refuses anything but `text` and `json`.
    public var logFormatName = "text"
    /// How log entries are written; `text` for a value `validate()` refuses (so the refusal itself is readable).
    public var logFormat: LogFormat { LogFormat(rawValue: logFormatName) ?? .text }
    public var imageRoots: [String] = []
    /// nil: one e5 space with `modelPath` (see `SpaceSetting`).
    public var spaces: [SpaceSetting]?
    public var imageMaxFileBytes = 0
    public var imageMaxMegapixels: Double = 0
    /// English→Chinese word list (cedict's EnWords.csv). Missing or corrupt: alignment off, plain vector search.
    public var enZhDictionaryPath = ""
    /// Chinese→English CC-CEDICT read beside the word list; "" → the word list alone.
    public var zhEnDictionaryPath = ""
    /// The install-time word-vector table; "" → the model path with `.words` appended.
    public var wordTablePath = ""
    /// English words (most common first) whose alignment `glimpsed --build-word-table` precomputes.
    public var wordTableMaxWords = 0
    /// Request pace, connection cap and shutdown grace of both sockets.
    public var connectionLimits = ConnectionLimits()
    /// The widest `adminSocketMode` accepted: the force switch for a world-writable admin socket.
    public var adminSocketMaxMode: UInt16 = 0
    /// `auto_caption_labels` and `auto_caption_min_probability` (`AutomaticCaptionSettings`).
    public var autoCaptionLabels = 0
    public var autoCaptionMinProbability: Double = 0
    /// `clip_vision_precision` as written (`fp32` or `int8`), checked by `validate()`.
    public var clipVisionPrecision = "fp32"

    /// Every setting at its default.
    public init() {
        for setting in DaemonSettings.table {
            guard let text = setting.defaultValue else { continue }
            do {
                setting.store(&self, try setting.type.parse(commandLine: [text], name: setting.key, environment: false))
            } catch {
                preconditionFailure("the settings table's default for \(setting.key) does not parse: \(error)")
            }
        }
        modelPath = DaemonSettings.defaultModelPath(dataDirectory: dataDirectory)
    }

    /// Call after `validate()`, which checks the image roots.
    public func serviceConfiguration() throws -> ServiceConfiguration {
        var configuration = ServiceConfiguration(
            dataDirectory: URL(fileURLWithPath: dataDirectory, isDirectory: true), hnsw: hnsw)
        configuration.imageRoots = try ImageRoots(imageRoots)
        configuration.autoRebuildTombstoneFraction = autoRebuildTombstoneFraction
        configuration.queryVectorCacheEntries = queryCacheEntries
        configuration.queryVectorCacheBytes = queryCacheMegabytes << 20
        configuration.queryBatchWindow = .microseconds(Int64((queryBatchWindowMilliseconds * 1_000).rounded()))
        configuration.queryBatchMaxTexts = queryBatchMaxTexts
        configuration.queryExpansion = QueryExpansionLimits(
            maxParts: queryExpansionMaxParts, maxTexts: queryExpansionMaxTexts, maxTokens: queryExpansionMaxTokens)
        configuration.imageDecodingLimits = ImageDecodingLimits(
            maxFileBytes: imageMaxFileBytes, maxMegapixels: imageMaxMegapixels)
        configuration.dictionaryPath = enZhDictionaryPath
        configuration.cedictPath = zhEnDictionaryPath.isEmpty ? nil : zhEnDictionaryPath
        configuration.automaticCaptions = AutomaticCaptionSettings(
            labels: autoCaptionLabels, minProbability: Float(autoCaptionMinProbability))
        configuration.wordTablePath = effectiveWordTablePath
        return configuration
    }

    /// A config file over the defaults, without flags or environment (deprecation warnings are dropped; glimpsed
    /// goes through `DaemonCommandLine.parse`, which returns them).
    public static func load(from path: String) throws -> DaemonConfiguration {
        try DaemonSettings.resolve([DaemonSettings.readConfigFile(path)])
    }
}

extension DaemonConfiguration {
    /// `word_table_path`, or beside the model file when unset (the table belongs to the model it was built with).
    public var effectiveWordTablePath: String { wordTablePath.isEmpty ? modelPath + ".words" : wordTablePath }

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
        guard LogFormat(rawValue: logFormatName) != nil else {
            throw ConfigurationError(
                "log_format must be one of \(LogFormat.allCases.map(\.rawValue).joined(separator: ", ")), got \"\(logFormatName)\""
            )
        }
        guard (4...128).contains(hnsw.m) else { throw ConfigurationError("hnsw_m must be between 4 and 128") }
        guard hnsw.efConstruction >= hnsw.m else {
            throw ConfigurationError("hnsw_ef_construction must be at least hnsw_m")
        }
        guard hnsw.efSearchDefault >= 1, hnsw.efSearchDefault <= hnsw.efSearchMax else {
            throw ConfigurationError("hnsw_ef_search must be between 1 and hnsw_ef_search_max")
        }
        guard HNSWParameters.VectorEncoding(rawValue: indexVectorEncoding) != nil else {
            throw ConfigurationError("index_vector_encoding must be float32 or sq8, got \"\(indexVectorEncoding)\"")
        }
        guard CLIPVisionPrecision(rawValue: clipVisionPrecision) != nil else {
            throw ConfigurationError("clip_vision_precision must be fp32 or int8, got \"\(clipVisionPrecision)\"")
        }
        for path in [socketPath, adminSocketPath] {
            guard path.utf8.count < 108 else {
                throw ConfigurationError(
                    "socket path is longer than the 107 bytes a Unix socket address holds: \(path)")
            }
        }
        guard socketPath != adminSocketPath else {
            throw ConfigurationError(
                "socket_path and admin_socket_path must differ: the admin socket is the only way to change the catalog")
        }
        if let socketGroup {
            _ = try SocketPermissions.groupID(socketGroup)
        }
        guard (0...200_000).contains(wordTableMaxWords) else {
            throw ConfigurationError("word_table_max_words must be between 0 and 200000, got \(wordTableMaxWords)")
        }
        guard autoRebuildTombstoneFraction >= 0, autoRebuildTombstoneFraction < 1 else {
            throw ConfigurationError(
                "auto_rebuild_tombstone_fraction must be at least 0 (off) and below 1, got \(autoRebuildTombstoneFraction)"
            )
        }
        guard queryCacheEntries >= 0 else { throw ConfigurationError("query_cache_entries must be at least 0 (off)") }
        guard (0...65_536).contains(queryCacheMegabytes) else {
            throw ConfigurationError("query_cache_megabytes must be between 0 and 65536, got \(queryCacheMegabytes)")
        }
        guard queryBatchWindowMilliseconds.isFinite, (0...1_000).contains(queryBatchWindowMilliseconds) else {
            throw ConfigurationError(
                "query_batch_window_ms must be between 0 and 1000, got \(queryBatchWindowMilliseconds)")
        }
        guard (0...256).contains(encoderThreads) else {
            throw ConfigurationError("encoder_threads must be between 0 and 256, got \(encoderThreads)")
        }
        guard (1...1_024).contains(queryBatchMaxTexts) else {
            throw ConfigurationError("query_batch_max_texts must be between 1 and 1024, got \(queryBatchMaxTexts)")
        }
        guard (0...64).contains(queryExpansionMaxParts) else {
            throw ConfigurationError(
                "query_expansion_max_parts must be between 0 and 64, got \(queryExpansionMaxParts)")
        }
        guard (1...256).contains(queryExpansionMaxTexts) else {
            throw ConfigurationError(
                "query_expansion_max_texts must be between 1 and 256, got \(queryExpansionMaxTexts)")
        }
        guard (0...4_096).contains(queryExpansionMaxTokens) else {
            throw ConfigurationError(
                "query_expansion_max_tokens must be between 0 and 4096, got \(queryExpansionMaxTokens)")
        }
        guard maxBodyBytes >= 1024 else { throw ConfigurationError("max_body_bytes must be at least 1024") }
        guard connectionLimits.minimumBytesPerSecond >= 0 else {
            throw ConfigurationError("request_min_bytes_per_second must be at least 0 (off)")
        }
        guard (1...65_536).contains(connectionLimits.maxConnections) else {
            throw ConfigurationError(
                "max_connections must be between 1 and 65536, got \(connectionLimits.maxConnections)")
        }
        if adminSocketMode & ~adminSocketMaxMode != 0 {
            let why =
                adminSocketMode & 0o002 != 0
                ? ": it lets every user of this machine connect to the admin socket, which ingests, deletes and rebuilds; use 0600, or 0660 with socket_group, or set admin_socket_max_mode to 0777 if you really mean it"
                : ""
            throw ConfigurationError(
                "admin_socket_mode \(String(adminSocketMode, radix: 8)) is wider than admin_socket_max_mode \(String(adminSocketMaxMode, radix: 8))\(why)"
            )
        }
        if let spaces {
            guard !spaces.isEmpty else { throw ConfigurationError("spaces must list at least one embedding space") }
            for (position, space) in spaces.enumerated() { try space.validate(at: position) }
        }
        guard imageMaxFileBytes >= 1024 else { throw ConfigurationError("image_max_file_bytes must be at least 1024") }
        guard imageMaxMegapixels.isFinite, imageMaxMegapixels > 0 else {
            throw ConfigurationError("image_max_megapixels must be a number above 0")
        }
        guard (0...AutomaticCaptionSettings.maxLabels).contains(autoCaptionLabels) else {
            throw ConfigurationError(
                "auto_caption_labels must be between 0 and \(AutomaticCaptionSettings.maxLabels), got \(autoCaptionLabels)"
            )
        }
        guard autoCaptionMinProbability.isFinite, (0...1).contains(autoCaptionMinProbability) else {
            throw ConfigurationError(
                "auto_caption_min_probability must be a number from 0 to 1, got \(autoCaptionMinProbability)")
        }
        do {
            _ = try ImageRoots(imageRoots)
        } catch {
            throw ConfigurationError("image_roots: \(error.message)")
        }
    }
}
