import Foundation
import GlimpseAPI
import GlimpseImage
import GlimpseIndex
import GlimpseServer
import GlimpseService
import Logging

/// How a setting's value is written. The config file uses the JSON form; a flag or a `GLIMPSE_*` variable the
/// command-line form (the same text, unquoted; a list repeats the flag or separates paths with ':').
public enum SettingValueType: String, Sendable, CaseIterable {
    case text, path, octalMode, seconds, number, integer, logLevel, pathList, spaces

    /// The name used in docs, `--help` and "must be ..." errors.
    public var displayName: String {
        switch self {
        case .text: "string"
        case .path: "path"
        case .octalMode: "octal mode string"
        case .seconds: "seconds"
        case .number: "number"
        case .integer: "integer"
        case .logLevel: "log level"
        case .pathList: "list of paths"
        case .spaces: "list of spaces (JSON)"
        }
    }
}

/// A value after parsing, before it is stored in `DaemonConfiguration`.
enum SettingValue: Sendable {
    case text(String)
    case mode(UInt16)
    case duration(Duration)
    case number(Double)
    case integer(Int)
    case level(Logger.Level)
    case paths([String])
    case spaces([SpaceSetting])
}

/// One row of the settings table: everything about a setting is spelled here and nowhere else.
public struct DaemonSetting: Sendable {
    /// The config-file key.
    public let key: String
    /// The command-line flag, with its dashes.
    public let flag: String
    /// Old config-file keys still accepted, with a deprecation warning.
    public let deprecatedKeys: [String]
    public let type: SettingValueType
    /// The default in command-line form; nil: unset unless `derivedDefault` says otherwise.
    let defaultValue: String?
    /// How docs describe a default that is not a literal (e.g. one derived from another setting).
    let defaultDescription: String?
    /// One line for `--help` and docs/configuration.md.
    public let doc: String
    let store: @Sendable (inout DaemonConfiguration, SettingValue) -> Void

    /// `GLIMPSE_` and the key in capitals: derived, so it cannot drift from the key.
    public var environmentVariable: String { "GLIMPSE_" + key.uppercased() }

    /// The default as shown to people.
    public var defaultText: String { defaultDescription ?? defaultValue.map { $0.isEmpty ? "\"\"" : $0 } ?? "(none)" }
}

/// Where a value came from; errors name the setting the way the user wrote it.
enum SettingSource {
    case configFile(String)
    case environment
    case flag

    func name(of setting: DaemonSetting) -> String {
        switch self {
        case .configFile: setting.key
        case .environment: setting.environmentVariable
        case .flag: setting.flag
        }
    }
}

public enum DaemonSettings {
    /// The model file name under `<data_directory>/models` when `model_path` is not set.
    static let defaultModelFileName = "models/e5-small-q4.bin"

    /// Every daemon setting. Adding a row adds the key, the flag, the variable, the `--help` line and the docs row.
    public static let table: [DaemonSetting] = [
        DaemonSetting(
            key: "socket_path", flag: "--socket", deprecatedKeys: [], type: .path,
            defaultValue: SocketDefaults.queryPath,
            defaultDescription: nil,
            doc: "The query socket: search, item and job reads, status, health, the OpenAPI document.",
            store: { configuration, value in configuration.socketPath = value.text }),
        DaemonSetting(
            key: "socket_mode", flag: "--socket-mode", deprecatedKeys: [], type: .octalMode, defaultValue: "0660",
            defaultDescription: nil, doc: "Permission bits of the query socket: who may search.",
            store: { configuration, value in configuration.socketMode = value.mode }),
        DaemonSetting(
            key: "admin_socket_path", flag: "--admin-socket", deprecatedKeys: [], type: .path,
            defaultValue: SocketDefaults.adminPath, defaultDescription: nil,
            doc: "The admin socket: everything the query socket serves plus ingest, delete and rebuild.",
            store: { configuration, value in configuration.adminSocketPath = value.text }),
        DaemonSetting(
            key: "admin_socket_mode", flag: "--admin-socket-mode", deprecatedKeys: [], type: .octalMode,
            defaultValue: "0600",
            defaultDescription: nil, doc: "Permission bits of the admin socket: by default only the daemon's own user.",
            store: { configuration, value in configuration.adminSocketMode = value.mode }),
        DaemonSetting(
            key: "socket_group", flag: "--socket-group", deprecatedKeys: [], type: .text, defaultValue: nil,
            defaultDescription: "the daemon's own group",
            doc: "Group (name or numeric gid) both socket files are given.",
            store: { configuration, value in configuration.socketGroup = value.text }),
        DaemonSetting(
            key: "idle_timeout_seconds", flag: "--idle-timeout", deprecatedKeys: [], type: .seconds, defaultValue: "60",
            defaultDescription: nil, doc: "A connection idle (or a request stalled half-way) this long is closed.",
            store: { configuration, value in configuration.idleTimeout = value.duration }),
        DaemonSetting(
            key: "request_timeout_seconds", flag: "--request-timeout", deprecatedKeys: [], type: .seconds,
            defaultValue: "30",
            defaultDescription: nil, doc: "A request still unanswered after this gets 503 `timeout`.",
            store: { configuration, value in configuration.requestTimeout = value.duration }),
        DaemonSetting(
            key: "auto_rebuild_tombstone_fraction", flag: "--auto-rebuild-tombstone-fraction", deprecatedKeys: [],
            type: .number, defaultValue: "0.2", defaultDescription: nil,
            doc: "Queue a rebuild once this fraction of an index's points are tombstoned; 0 never.",
            store: { configuration, value in configuration.autoRebuildTombstoneFraction = value.number }),
        DaemonSetting(
            key: "query_cache_entries", flag: "--query-cache-entries", deprecatedKeys: [], type: .integer,
            defaultValue: "20000", defaultDescription: nil,
            doc: "Query vectors cached per embedding space (queries and dictionary words); 0 turns the cache off.",
            store: { configuration, value in configuration.queryCacheEntries = value.integer }),
        DaemonSetting(
            key: "query_cache_megabytes", flag: "--query-cache-megabytes", deprecatedKeys: [], type: .integer,
            defaultValue: "32", defaultDescription: nil,
            doc: "Memory bound of each space's query-vector cache, in MiB (20000 e5 vectors take about 32).",
            store: { configuration, value in configuration.queryCacheMegabytes = value.integer }),
        DaemonSetting(
            key: "query_batch_window_ms", flag: "--query-batch-window-ms", deprecatedKeys: [], type: .number,
            defaultValue: "2", defaultDescription: nil,
            doc:
                "Texts queued behind a running embedding batch gather this long before a further batch starts (0–1000).",
            store: { configuration, value in configuration.queryBatchWindowMilliseconds = value.number }),
        DaemonSetting(
            key: "query_batch_max_texts", flag: "--query-batch-max-texts", deprecatedKeys: [], type: .integer,
            defaultValue: "32", defaultDescription: nil,
            doc: "Most texts of concurrent searches embedded in one forward pass (1 to 1024).",
            store: { configuration, value in configuration.queryBatchMaxTexts = value.integer }),
        DaemonSetting(
            key: "query_expansion_max_parts", flag: "--query-expansion-max-parts", deprecatedKeys: [],
            type: .integer, defaultValue: "4", defaultDescription: nil,
            doc: "Single-language runs of a mixed query that alignment searches and translates on their own (0 to 64).",
            store: { configuration, value in configuration.queryExpansionMaxParts = value.integer }),
        DaemonSetting(
            key: "query_expansion_max_texts", flag: "--query-expansion-max-texts", deprecatedKeys: [],
            type: .integer, defaultValue: "24", defaultDescription: nil,
            doc: "Most texts one aligned query searches, itself included (1 to 256); `expansion_cut` says when hit.",
            store: { configuration, value in configuration.queryExpansionMaxTexts = value.integer }),
        DaemonSetting(
            key: "query_expansion_max_tokens", flag: "--query-expansion-max-tokens", deprecatedKeys: [],
            type: .integer, defaultValue: "128", defaultDescription: nil,
            doc: "Estimated tokens of the parts and translations alignment adds to one query (0 to 4096).",
            store: { configuration, value in configuration.queryExpansionMaxTokens = value.integer }),
        DaemonSetting(
            key: "encoder_threads", flag: "--encoder-threads", deprecatedKeys: [], type: .integer,
            defaultValue: "0", defaultDescription: "0 (every core)",
            doc: "Threads of the E5 encoder's own pool, which sleep between calls (0: one per core; 1 to 256).",
            store: { configuration, value in configuration.encoderThreads = value.integer }),
        DaemonSetting(
            key: "data_directory", flag: "--data-dir", deprecatedKeys: [], type: .path,
            defaultValue: "/var/lib/glimpse",
            defaultDescription: nil, doc: "Holds the catalog, the index snapshots and the data-directory lock.",
            store: { configuration, value in configuration.dataDirectory = value.text }),
        DaemonSetting(
            key: "model_path", flag: "--model", deprecatedKeys: [], type: .path, defaultValue: nil,
            defaultDescription: "<data_directory>/\(defaultModelFileName)",
            doc: "The e5 model file `e5-small-q4.bin` (`scripts/fetch-model.sh`).",
            store: { configuration, value in configuration.modelPath = value.text }),
        DaemonSetting(
            key: "hnsw_m", flag: "--hnsw-m", deprecatedKeys: [], type: .integer, defaultValue: "\(HNSWParameters().m)",
            defaultDescription: nil, doc: "HNSW graph degree (4 to 128); takes effect only on an index built anew.",
            store: { configuration, value in configuration.hnsw.m = value.integer }),
        DaemonSetting(
            key: "hnsw_ef_construction", flag: "--ef-construction", deprecatedKeys: [], type: .integer,
            defaultValue: "\(HNSWParameters().efConstruction)",
            defaultDescription: nil, doc: "HNSW efConstruction, at least hnsw_m: higher builds a better graph, slower.",
            store: { configuration, value in configuration.hnsw.efConstruction = value.integer }),
        DaemonSetting(
            key: "hnsw_ef_search", flag: "--ef-search", deprecatedKeys: [], type: .integer,
            defaultValue: "\(HNSWParameters().efSearchDefault)",
            defaultDescription: nil, doc: "efSearch for queries that do not pass `ef`.",
            store: { configuration, value in configuration.hnsw.efSearchDefault = value.integer }),
        DaemonSetting(
            key: "hnsw_ef_search_max", flag: "--ef-search-max", deprecatedKeys: [], type: .integer,
            defaultValue: "\(HNSWParameters().efSearchMax)",
            defaultDescription: nil, doc: "Largest `ef` a query may ask for.",
            store: { configuration, value in configuration.hnsw.efSearchMax = value.integer }),
        DaemonSetting(
            key: "index_vector_encoding", flag: "--index-vector-encoding", deprecatedKeys: [], type: .text,
            defaultValue: HNSWParameters.VectorEncoding.float32.rawValue, defaultDescription: nil,
            doc:
                "Vectors in the index: `float32` (4 bytes a dimension) or `sq8` (1 byte, recall in docs/benchmarks.md); "
                + "takes effect only on an index built anew.",
            store: { configuration, value in
                configuration.indexVectorEncoding = value.text
                configuration.hnsw.vectorEncoding = .init(rawValue: value.text) ?? .float32
            }),
        DaemonSetting(
            key: "max_body_bytes", flag: "--max-body-bytes", deprecatedKeys: [], type: .integer,
            defaultValue: "\(IngestLimits.maxBodyBytes)",
            defaultDescription: nil, doc: "Largest request body accepted (at least 1024).",
            store: { configuration, value in configuration.maxBodyBytes = value.integer }),
        DaemonSetting(
            key: "log_level", flag: "--log-level", deprecatedKeys: [], type: .logLevel, defaultValue: "info",
            defaultDescription: nil, doc: "One of trace, debug, info, notice, warning, error, critical.",
            store: { configuration, value in configuration.logLevel = value.level }),
        DaemonSetting(
            key: "log_format", flag: "--log-format", deprecatedKeys: [], type: .text, defaultValue: "text",
            defaultDescription: nil,
            doc:
                "`text` (one readable line per entry) or `json` (one JSON object per line: ts, level, label, message, metadata).",
            store: { configuration, value in configuration.logFormatName = value.text }),
        DaemonSetting(
            key: "image_roots", flag: "--image-root", deprecatedKeys: [], type: .pathList, defaultValue: "/",
            defaultDescription: nil,
            doc: "Directories ingested images must lie under, symlinks followed; \"/\" allows any path.",
            store: { configuration, value in configuration.imageRoots = value.paths }),
        DaemonSetting(
            key: "spaces", flag: "--spaces", deprecatedKeys: [], type: .spaces, defaultValue: nil,
            defaultDescription: "one e5 space of model_path",
            doc: "Embedding spaces searched together: e5 and clip entries (see cross-lingual.md).",
            store: { configuration, value in configuration.spaces = value.spaces }),
        DaemonSetting(
            key: "image_max_file_bytes", flag: "--image-max-file-bytes", deprecatedKeys: [], type: .integer,
            defaultValue: "\(ImageDecodingLimits.default.maxFileBytes)", defaultDescription: nil,
            doc: "Largest image file decoded (at least 1024).",
            store: { configuration, value in configuration.imageMaxFileBytes = value.integer }),
        DaemonSetting(
            key: "image_max_megapixels", flag: "--image-max-megapixels", deprecatedKeys: [], type: .number,
            defaultValue: "\(ImageDecodingLimits.default.maxMegapixels)", defaultDescription: nil,
            doc: "Largest image decoded, in millions of pixels.",
            store: { configuration, value in configuration.imageMaxMegapixels = value.number }),
        DaemonSetting(
            key: "en_zh_dictionary_path", flag: "--en-zh-dictionary", deprecatedKeys: ["dictionary_path"], type: .path,
            defaultValue: "~/.local/share/glimpse/dictionaries/cedict-0.1.0-EnWords.csv", defaultDescription: nil,
            doc: "English→Chinese word list (EnWords.csv) for query alignment; missing: alignment off, logged.",
            store: { configuration, value in configuration.enZhDictionaryPath = value.text }),
        DaemonSetting(
            key: "zh_en_dictionary_path", flag: "--zh-en-dictionary", deprecatedKeys: ["cc_cedict_path"], type: .path,
            defaultValue: "~/.local/share/glimpse/dictionaries/cc-cedict-2023-11-07.u8", defaultDescription: nil,
            doc: "Chinese→English CC-CEDICT read beside the word list; \"\": the word list alone.",
            store: { configuration, value in configuration.zhEnDictionaryPath = value.text }),
        DaemonSetting(
            key: "request_read_timeout_seconds", flag: "--request-read-timeout", deprecatedKeys: [], type: .seconds,
            defaultValue: "60", defaultDescription: nil,
            doc: "A request (line, headers and body) must arrive whole within this time of its first byte, else 408.",
            store: { configuration, value in configuration.connectionLimits.requestReadTimeout = value.duration }),
        DaemonSetting(
            key: "request_min_bytes_per_second", flag: "--request-min-rate", deprecatedKeys: [], type: .integer,
            defaultValue: "1024", defaultDescription: nil,
            doc: "A request still arriving after the grace period below this average rate gets 408; 0 turns it off.",
            store: { configuration, value in configuration.connectionLimits.minimumBytesPerSecond = value.integer }),
        DaemonSetting(
            key: "request_min_rate_grace_seconds", flag: "--request-min-rate-grace", deprecatedKeys: [],
            type: .seconds, defaultValue: "5", defaultDescription: nil,
            doc:
                "Time a request may take before `request_min_bytes_per_second` applies (it then counts from the start).",
            store: { configuration, value in configuration.connectionLimits.minimumRateGracePeriod = value.duration }),
        DaemonSetting(
            key: "max_connections", flag: "--max-connections", deprecatedKeys: [], type: .integer,
            defaultValue: "256", defaultDescription: nil,
            doc: "Connections served at once per socket; up to 16 more get only health checks, beyond that closed.",
            store: { configuration, value in configuration.connectionLimits.maxConnections = value.integer }),
        DaemonSetting(
            key: "shutdown_grace_seconds", flag: "--shutdown-grace", deprecatedKeys: [], type: .seconds,
            defaultValue: "10", defaultDescription: nil,
            doc: "On SIGTERM, connections still busy after this long are closed.",
            store: { configuration, value in configuration.connectionLimits.shutdownGracePeriod = value.duration }),
        DaemonSetting(
            key: "admin_socket_max_mode", flag: "--admin-socket-max-mode", deprecatedKeys: [], type: .octalMode,
            defaultValue: "0770", defaultDescription: nil,
            doc:
                "Widest admin_socket_mode accepted; 0777 permits a world-writable admin socket (logged as a SECURITY warning).",
            store: { configuration, value in configuration.adminSocketMaxMode = value.mode }),
        DaemonSetting(
            key: "auto_caption_labels", flag: "--auto-caption-labels", deprecatedKeys: [], type: .integer,
            defaultValue: "\(AutomaticCaptionSettings().labels)", defaultDescription: nil,
            doc:
                "Zero-shot labels stored as the automatic captions (en and zh) of an item ingested without captions, "
                + "when an image space can label pictures; 0 stores none.",
            store: { configuration, value in configuration.autoCaptionLabels = value.integer }),
        DaemonSetting(
            key: "auto_caption_min_probability", flag: "--auto-caption-min-probability", deprecatedKeys: [],
            type: .number, defaultValue: "\(AutomaticCaptionSettings().minProbability)", defaultDescription: nil,
            doc: "Labels after the most probable one join an automatic caption only with at least this probability.",
            store: { configuration, value in configuration.autoCaptionMinProbability = value.number }),
        DaemonSetting(
            key: "word_table_path", flag: "--word-table", deprecatedKeys: [], type: .path, defaultValue: nil,
            defaultDescription: "<model_path>.words",
            doc:
                "Install-time table of dictionary words' query vectors (glimpsed --build-word-table writes it); missing or stale: ignored, logged.",
            store: { configuration, value in configuration.wordTablePath = value.text }),
        DaemonSetting(
            key: "word_table_max_words", flag: "--word-table-max-words", deprecatedKeys: [], type: .integer,
            defaultValue: "6000", defaultDescription: nil,
            doc:
                "Common English words (and the Chinese words they reach) whose alignment --build-word-table precomputes.",
            store: { configuration, value in configuration.wordTableMaxWords = value.integer }),
        DaemonSetting(
            key: "clip_vision_precision", flag: "--clip-vision-precision", deprecatedKeys: [], type: .text,
            defaultValue: "fp32", defaultDescription: nil,
            doc:
                "Linear layers of CLIP vision towers: `fp32`, or `int8` (per-row int8 weights × per-token int8 "
                + "activations, about 2× faster, cosine ≥ 0.995 to fp32; docs/models.md); switching re-embeds images.",
            store: { configuration, value in configuration.clipVisionPrecision = value.text }),
    ]

    /// The options that are not settings.
    static let configFlag = "--config"
    static let configEnvironmentVariable = "GLIMPSE_CONFIG"
    static let helpFlags = ["--help", "-h"]
    static let printDocsFlag = "--print-configuration-docs"
    /// Builds the word-vector table at `word_table_path` from the configured model and dictionaries, then exits.
    static let buildWordTableFlag = "--build-word-table"

    static func setting(forKey key: String) -> DaemonSetting? { table.first { $0.key == key } }
    static func setting(forDeprecatedKey key: String) -> DaemonSetting? {
        table.first { $0.deprecatedKeys.contains(key) }
    }
    static func setting(forFlag flag: String) -> DaemonSetting? { table.first { $0.flag == flag } }
}

extension SettingValue {
    // The table stores each type with its own accessor; the parser produced the case from the same row's `type`,
    // so a mismatch is a bug in this file, which the round-trip test of every row would catch.
    var text: String {
        if case .text(let value) = self { return value }
        preconditionFailure("setting value \(self) is not text")
    }
    var mode: UInt16 {
        if case .mode(let value) = self { return value }
        preconditionFailure("setting value \(self) is not a mode")
    }
    var duration: Duration {
        if case .duration(let value) = self { return value }
        preconditionFailure("setting value \(self) is not a duration")
    }
    var number: Double {
        if case .number(let value) = self { return value }
        preconditionFailure("setting value \(self) is not a number")
    }
    var integer: Int {
        if case .integer(let value) = self { return value }
        preconditionFailure("setting value \(self) is not an integer")
    }
    var level: Logger.Level {
        if case .level(let value) = self { return value }
        preconditionFailure("setting value \(self) is not a log level")
    }
    var paths: [String] {
        if case .paths(let value) = self { return value }
        preconditionFailure("setting value \(self) is not a path list")
    }
    var spaces: [SpaceSetting] {
        if case .spaces(let value) = self { return value }
        preconditionFailure("setting value \(self) is not a space list")
    }
}
