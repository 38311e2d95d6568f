import Foundation
import Testing

@testable import GlimpseDaemon

/// The settings table drives the config file, the `GLIMPSE_*` variables, the flags, `--help` and
/// docs/configuration.md; these tests hold every row to all five.
@Suite struct DaemonSettingsTests {
    /// Three distinct non-default values per key, in command-line form, each valid with every other setting at its
    /// default. A new table row without samples here fails `everyRowHasSamples`.
    static let samples: [String: [[String]]] = [
        "socket_path": [["/tmp/a.sock"], ["/tmp/b.sock"], ["/tmp/c.sock"]],
        "socket_mode": [["0600"], ["0640"], ["0666"]],
        "admin_socket_path": [["/tmp/a-admin.sock"], ["/tmp/b-admin.sock"], ["/tmp/c-admin.sock"]],
        "admin_socket_mode": [["0640"], ["0660"], ["0700"]],
        "socket_group": [["0"], ["root"], ["12345"]],
        "idle_timeout_seconds": [["2.5"], ["10"], ["120"]],
        "request_timeout_seconds": [["5"], ["15"], ["45"]],
        "request_read_timeout_seconds": [["5"], ["20"], ["90"]],
        "request_min_bytes_per_second": [["0"], ["100"], ["4096"]],
        "request_min_rate_grace_seconds": [["1"], ["2.5"], ["30"]],
        "max_connections": [["1"], ["64"], ["1000"]],
        "shutdown_grace_seconds": [["1"], ["3"], ["30"]],
        "admin_socket_max_mode": [["0777"], ["0772"], ["0700"]],
        "auto_rebuild_tombstone_fraction": [["0"], ["0.3"], ["0.5"]],
        "query_cache_entries": [["0"], ["500"], ["100000"]],
        "query_cache_megabytes": [["0"], ["8"], ["256"]],
        "query_batch_window_ms": [["0"], ["0.5"], ["10"]],
        "query_batch_max_texts": [["1"], ["8"], ["128"]],
        "query_expansion_max_parts": [["0"], ["2"], ["16"]],
        "query_expansion_max_texts": [["1"], ["8"], ["64"]],
        "query_expansion_max_tokens": [["0"], ["32"], ["512"]],
        "encoder_threads": [["1"], ["2"], ["4"]],
        "data_directory": [["/srv/a"], ["/srv/b"], ["/srv/c"]],
        "model_path": [["/m/a.bin"], ["/m/b.bin"], ["/m/c.bin"]],
        "hnsw_m": [["16"], ["24"], ["48"]],
        "hnsw_ef_construction": [["100"], ["150"], ["300"]],
        "hnsw_ef_search": [["16"], ["32"], ["128"]],
        "hnsw_ef_search_max": [["512"], ["2048"], ["4096"]],
        "index_vector_encoding": [["sq8"], ["float32"], ["sq8"]],
        "max_body_bytes": [["4096"], ["65536"], ["1048576"]],
        "log_level": [["debug"], ["warning"], ["error"]],
        // Two values only: b differs from a and c, which is what the precedence checks need.
        "log_format": [["json"], ["text"], ["json"]],
        "image_roots": [["/srv/photos"], ["/srv/a", "/srv/b"], ["/home"]],
        "spaces": [
            [#"[{"kind": "e5"}]"#], [#"[{"kind": "e5", "model": "/m/x.bin", "weight": 2}]"#],
            [#"[{"kind": "e5"}, {"kind": "clip", "folder": "/m/clip", "name": "clip-b"}]"#],
        ],
        "image_max_file_bytes": [["2048"], ["1000000"], ["99999999"]],
        "image_max_megapixels": [["10"], ["20.5"], ["200"]],
        "en_zh_dictionary_path": [["/d/a.csv"], ["/d/b.csv"], ["/d/c.csv"]],
        "zh_en_dictionary_path": [[""], ["/d/b.u8"], ["/d/c.u8"]],
        "auto_caption_labels": [["0"], ["5"], ["20"]],
        "auto_caption_min_probability": [["0"], ["0.25"], ["1"]],
        "word_table_path": [["/m/a.words"], ["/m/b.words"], ["/m/c.words"]],
        "word_table_max_words": [["0"], ["500"], ["20000"]],
        "clip_vision_precision": [["int8"], ["fp32"], ["int8"]],
    ]

    // MARK: - ways of writing one value

    private static func jsonValue(_ values: [String], type: SettingValueType) -> String {
        func quoted(_ text: String) -> String {
            String(decoding: try! JSONEncoder().encode(text), as: UTF8.self)
        }
        switch type {
        case .text, .path, .octalMode, .logLevel: return quoted(values[0])
        case .seconds, .number, .integer, .spaces: return values[0]
        case .pathList: return "[" + values.map(quoted).joined(separator: ", ") + "]"
        }
    }

    private static func flags(_ values: [String], setting: DaemonSetting) -> [String] {
        // Both spellings: `--flag=value` for the first occurrence, `--flag value` for the rest.
        values.enumerated().flatMap { index, value in index == 0 ? ["\(setting.flag)=\(value)"] : [setting.flag, value]
        }
    }

    private static func environment(_ values: [String], setting: DaemonSetting) -> [String: String] {
        [setting.environmentVariable: values.joined(separator: ":")]
    }

    private func writeConfig(_ json: String) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("glimpsed-\(UUID().uuidString).json")
        try Data(json.utf8).write(to: url)
        return url.path
    }

    private func configuration(
        file: String? = nil, environment: [String: String] = [:], arguments: [String] = []
    ) throws -> DaemonConfiguration {
        let configArguments = try file.map { ["--config", try writeConfig($0)] } ?? []
        guard
            case .run(let configuration, _) = try DaemonCommandLine.parse(
                arguments: configArguments + arguments, environment: environment)
        else { throw TestFailure("not a run") }
        return configuration
    }

    private func errorMessage(file: String? = nil, environment: [String: String] = [:], arguments: [String] = [])
        -> String
    {
        do {
            _ = try configuration(file: file, environment: environment, arguments: arguments)
            return ""
        } catch {
            return "\(error)"
        }
    }

    struct TestFailure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    // MARK: - the table

    @Test func everyRowHasSamplesAndUniqueNames() {
        let table = DaemonSettings.table
        #expect(Set(Self.samples.keys) == Set(table.map(\.key)))
        #expect(Set(table.map(\.key)).count == table.count)
        #expect(Set(table.map(\.flag)).count == table.count)
        #expect(Set(table.map(\.environmentVariable)).count == table.count)
        for setting in table {
            #expect(setting.flag.hasPrefix("--"))
            #expect(!setting.doc.isEmpty)
        }
    }

    @Test func noSourcesGiveTheDefaults() throws {
        let defaults = DaemonConfiguration()
        #expect(try configuration() == defaults)
        #expect(defaults.socketPath == "/run/glimpse/glimpse.sock")
        #expect(defaults.modelPath == "/var/lib/glimpse/models/e5-small-q4.bin")
        #expect(defaults.hnsw.efSearchMax == 1024)
        #expect(defaults.enZhDictionaryPath.hasSuffix("/.local/share/glimpse/dictionaries/cedict-0.1.0-EnWords.csv"))
        #expect(!defaults.enZhDictionaryPath.hasPrefix("~"))
    }

    /// Each row: the same value through the file, a variable and a flag gives the same configuration, which is not
    /// the default; and the flag beats the variable, which beats the file.
    @Test(arguments: DaemonSettings.table.map(\.key))
    func roundTripsThroughEverySourceWithPrecedence(key: String) throws {
        let setting = try #require(DaemonSettings.setting(forKey: key))
        let samples = try #require(Self.samples[key])
        let (a, b, c) = (samples[0], samples[1], samples[2])
        let file = { (values: [String]) in "{\"\(key)\": \(Self.jsonValue(values, type: setting.type))}" }

        let fromFile = try configuration(file: file(a))
        let fromEnvironment = try configuration(environment: Self.environment(a, setting: setting))
        let fromFlag = try configuration(arguments: Self.flags(a, setting: setting))
        #expect(fromFile != DaemonConfiguration(), "\(key) from the file left the defaults unchanged")
        #expect(fromFile == fromEnvironment, "\(key): file and \(setting.environmentVariable) disagree")
        #expect(fromFile == fromFlag, "\(key): file and \(setting.flag) disagree")
        #expect(try configuration(file: file(b)) != fromFile, "\(key): two samples give the same configuration")

        let onlyB = try configuration(environment: Self.environment(b, setting: setting))
        let onlyC = try configuration(arguments: Self.flags(c, setting: setting))
        #expect(onlyB != onlyC)
        #expect(
            try configuration(file: file(a), environment: Self.environment(b, setting: setting)) == onlyB,
            "\(key): the environment must beat the config file")
        #expect(
            try configuration(
                file: file(a), environment: Self.environment(b, setting: setting),
                arguments: Self.flags(c, setting: setting)) == onlyC,
            "\(key): a flag must beat the environment and the config file")
        #expect(try configuration(file: file(a), arguments: Self.flags(c, setting: setting)) == onlyC)
    }

    @Test func theModelPathFollowsTheDataDirectoryUnlessSet() throws {
        #expect(try configuration(arguments: ["--data-dir", "/srv/g"]).modelPath == "/srv/g/models/e5-small-q4.bin")
        #expect(try configuration(file: #"{"data_directory": "/srv/f"}"#).modelPath == "/srv/f/models/e5-small-q4.bin")
        #expect(
            try configuration(file: #"{"model_path": "/m/x.bin"}"#, arguments: ["--data-dir", "/srv/g"]).modelPath
                == "/m/x.bin")
    }

    @Test func listsRepeatTheFlagAndSplitTheVariableOnColons() throws {
        #expect(try configuration(arguments: ["--image-root", "/a", "--image-root=/b"]).imageRoots == ["/a", "/b"])
        #expect(try configuration(environment: ["GLIMPSE_IMAGE_ROOTS": "/a:/b"]).imageRoots == ["/a", "/b"])
    }

    @Test func aHomeRelativePathIsExpanded() throws {
        let home = FileManager.default.homeDirectoryForCurrentUser.path
        #expect(try configuration(arguments: ["--en-zh-dictionary", "~/d.csv"]).enZhDictionaryPath == home + "/d.csv")
    }

    // MARK: - refusals

    @Test func unknownFlagsAndBadArgumentsAreNamed() {
        let unknown = errorMessage(arguments: ["--sockt", "/x"])
        #expect(unknown.contains("unknown option --sockt"))
        #expect(unknown.contains("did you mean \"--socket\""))
        #expect(errorMessage(arguments: ["--frobnicate=1"]).contains("--frobnicate"))
        #expect(errorMessage(arguments: ["stray"]).contains("unexpected argument \"stray\""))
        #expect(errorMessage(arguments: ["--socket"]).contains("--socket needs a value"))
        #expect(errorMessage(arguments: ["--hnsw-m", "16", "--hnsw-m", "20"]).contains("--hnsw-m is given 2 times"))
        #expect(errorMessage(arguments: ["--hnsw-m", "many"]).contains("--hnsw-m must be an integer"))
        #expect(errorMessage(arguments: ["--log-level", "loud"]).contains("--log-level must be one of"))
        #expect(
            errorMessage(environment: ["GLIMPSE_IDLE_TIMEOUT_SECONDS": "soon"]).contains("GLIMPSE_IDLE_TIMEOUT_SECONDS")
        )
        #expect(errorMessage(environment: ["GLIMPSE_SOCKET_MODE": "rw"]).contains("GLIMPSE_SOCKET_MODE"))
        #expect(errorMessage(arguments: ["--spaces", #"[{"kind": "e6"}]"#]).contains("--spaces"))
    }

    @Test func otherGlimpseVariablesAreLeftAlone() throws {
        #expect(
            try configuration(environment: ["GLIMPSE_BIN_DIR": "/x", "GLIMPSE_SOCKET": "/y"]) == DaemonConfiguration())
    }

    @Test func unknownKeysNameTheKeyAndTheClosestKnownOne() {
        let message = errorMessage(file: #"{"hnsw_ef_serch": 10}"#)
        #expect(message.contains("unknown setting \"hnsw_ef_serch\""))
        #expect(message.contains("did you mean \"hnsw_ef_search\""))
        #expect(!errorMessage(file: #"{"zzzzzz": 1}"#).contains("did you mean"))
        let space = errorMessage(file: #"{"spaces": [{"kind": "e5"}, {"kind": "e5", "wieght": 2}]}"#)
        #expect(space.contains("unknown setting \"wieght\" in spaces[1]"))
        #expect(space.contains("did you mean \"weight\""))
    }

    @Test func wrongTypesNameTheKeyAndTheTypeExpected() {
        #expect(errorMessage(file: #"{"hnsw_m": "16"}"#).contains("hnsw_m must be an integer"))
        #expect(errorMessage(file: #"{"hnsw_m": 16.5}"#).contains("hnsw_m must be an integer"))
        #expect(errorMessage(file: #"{"socket_path": 3}"#).contains("socket_path must be a string"))
        #expect(
            errorMessage(file: #"{"idle_timeout_seconds": "60"}"#).contains(
                "idle_timeout_seconds must be a number of seconds"))
        #expect(errorMessage(file: #"{"image_roots": "/srv"}"#).contains("image_roots must be a list of strings"))
        #expect(
            errorMessage(file: #"{"socket_mode": 432}"#).contains(
                "socket_mode must be a string of octal permission bits"))
        #expect(errorMessage(file: #"{"log_level": true}"#).contains("log_level must be a string"))
        #expect(errorMessage(file: #"[1, 2]"#).contains("must hold one JSON object"))
    }

    @Test func malformedJSONNamesTheLineAndColumn() {
        let message = errorMessage(file: "{\n  \"hnsw_m\": 16,\n  \"log_level\": debug\n}")
        #expect(message.contains("not valid JSON: line 3, column"), "\(message)")
        // A line with Chinese text: the column counts characters, not UTF-8 bytes.
        let offset = DaemonSettings.syntaxErrorLocation(
            NSError(domain: "t", code: 1, userInfo: [NSDebugDescriptionErrorKey: "Invalid value around character 10."]),
            in: Data("{\n \"狗\": x}".utf8))
        #expect(offset == "line 2, column 7: invalid value")
    }

    // MARK: - renamed dictionary keys

    @Test func theOldDictionaryKeysStillLoadWithAWarning() throws {
        let path = try writeConfig(#"{"dictionary_path": "/d/EnWords.csv", "cc_cedict_path": "/d/cedict_ts.u8"}"#)
        guard
            case .run(let configuration, let warnings) = try DaemonCommandLine.parse(
                arguments: ["--config", path], environment: [:])
        else {
            Issue.record("not a run")
            return
        }
        #expect(configuration.enZhDictionaryPath == "/d/EnWords.csv")
        #expect(configuration.zhEnDictionaryPath == "/d/cedict_ts.u8")
        #expect(
            warnings.contains {
                $0.contains("\"dictionary_path\" is deprecated") && $0.contains("en_zh_dictionary_path")
            })
        #expect(
            warnings.contains {
                $0.contains("\"cc_cedict_path\" is deprecated") && $0.contains("zh_en_dictionary_path")
            })
    }

    @Test func theOldAndNewKeyTogetherAreRefused() {
        let message = errorMessage(file: #"{"cc_cedict_path": "/a", "zh_en_dictionary_path": "/b"}"#)
        #expect(message.contains("both \"cc_cedict_path\" and \"zh_en_dictionary_path\""))
    }

    // MARK: - help and docs

    @Test func helpListsEveryKeyFlagAndVariable() throws {
        guard case .help(let help) = try DaemonCommandLine.parse(arguments: ["--help"], environment: [:]) else {
            Issue.record("--help did not ask for help")
            return
        }
        for setting in DaemonSettings.table {
            #expect(help.contains(setting.key), "--help omits \(setting.key)")
            #expect(help.contains("  \(setting.flag) "), "--help omits \(setting.flag)")
            #expect(help.contains(setting.environmentVariable), "--help omits \(setting.environmentVariable)")
            #expect(help.contains(setting.doc))
        }
        #expect(help.contains("--config"))
        #expect(help.contains("flag > environment variable > config file > default"))
    }

    @Test func theCommittedConfigurationDocsMatchTheTable() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/configuration.md")
        let committed = try String(contentsOf: url, encoding: .utf8)
        let generated = DaemonSettings.configurationDocs()
        #expect(
            committed == generated,
            "docs/configuration.md is out of date with the settings table; regenerate it: swift build --product glimpsed && .build/debug/glimpsed --print-configuration-docs > docs/configuration.md"
        )
        for setting in DaemonSettings.table {
            #expect(generated.contains("`\(setting.key)` | `\(setting.flag)` | `\(setting.environmentVariable)`"))
        }
        guard
            case .printConfigurationDocs(let printed) = try DaemonCommandLine.parse(
                arguments: ["--print-configuration-docs"], environment: [:])
        else {
            Issue.record("--print-configuration-docs did not print the docs")
            return
        }
        #expect(printed == generated)
    }
}
