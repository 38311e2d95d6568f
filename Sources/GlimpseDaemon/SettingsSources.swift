import Foundation
import GlimpseAPI
import GlimpseServer
import Logging

/// Reads settings from the three places they can come from (config file, `GLIMPSE_*` variables, flags), each
/// through the settings table, and combines them: flag > environment > config file > default.
struct SettingAssignments {
    /// By config key.
    var values: [String: SettingValue] = [:]
    /// Deprecation notes, logged once logging is set up.
    var warnings: [String] = []
}

extension SettingValueType {
    /// Parses the command-line form (a flag's or a variable's text). `name` is how errors name the setting.
    func parse(commandLine occurrences: [String], name: String, environment: Bool) throws -> SettingValue {
        if self == .pathList {
            let paths =
                environment
                ? occurrences.flatMap { $0.split(separator: ":", omittingEmptySubsequences: false).map(String.init) }
                : occurrences
            return .paths(paths.map(Self.expandingHome))
        }
        guard occurrences.count == 1, let text = occurrences.first else {
            throw ConfigurationError("\(name) is given \(occurrences.count) times; it takes one value")
        }
        switch self {
        case .text: return .text(text)
        case .path: return .text(Self.expandingHome(text))
        case .octalMode: return .mode(try DaemonConfiguration.mode(text, setting: name))
        case .seconds:
            guard let seconds = Double(text) else { throw mustBe(name, got: text) }
            return .duration(try DaemonConfiguration.seconds(seconds, setting: name))
        case .number:
            guard let number = Double(text), number.isFinite else { throw mustBe(name, got: text) }
            return .number(number)
        case .integer:
            guard let integer = Int(text) else { throw mustBe(name, got: text) }
            return .integer(integer)
        case .logLevel: return .level(try Self.level(text, name: name))
        case .spaces:
            do {
                return .spaces(try JSONDecoder().decode([SpaceSetting].self, from: Data(text.utf8)))
            } catch let error as ConfigurationError {
                throw ConfigurationError("\(name): \(error.description)")
            } catch {
                throw ConfigurationError(
                    "\(name) must be a JSON list of spaces such as '[{\"kind\": \"e5\"}]': \(describe(error))")
            }
        case .pathList: preconditionFailure("handled above")
        }
    }

    /// Decodes the config-file (JSON) form of the value under `key`.
    func decode<Key: CodingKey>(from container: KeyedDecodingContainer<Key>, key: Key, name: String) throws
        -> SettingValue
    {
        do {
            switch self {
            case .text: return .text(try container.decode(String.self, forKey: key))
            case .path: return .text(Self.expandingHome(try container.decode(String.self, forKey: key)))
            case .octalMode:
                return .mode(
                    try DaemonConfiguration.mode(try container.decode(String.self, forKey: key), setting: name))
            case .seconds:
                return .duration(
                    try DaemonConfiguration.seconds(try container.decode(Double.self, forKey: key), setting: name))
            case .number: return .number(try container.decode(Double.self, forKey: key))
            case .integer:
                // Decoded as a number first so 1.5 is "must be an integer", not a JSON syntax complaint.
                let number = try container.decode(Double.self, forKey: key)
                guard number.rounded() == number, let integer = Int(exactly: number) else {
                    throw mustBe(name, got: "\(number)")
                }
                return .integer(integer)
            case .logLevel: return .level(try Self.level(try container.decode(String.self, forKey: key), name: name))
            case .pathList: return .paths(try container.decode([String].self, forKey: key).map(Self.expandingHome))
            case .spaces: return .spaces(try container.decode([SpaceSetting].self, forKey: key))
            }
        } catch let error as ConfigurationError {
            throw error
        } catch DecodingError.typeMismatch(_, let context) where context.codingPath.count <= 1 {
            throw ConfigurationError("\(name) must be \(jsonDescription)")
        } catch {
            throw ConfigurationError("\(name) must be \(jsonDescription): \(describe(error))")
        }
    }

    /// What the JSON form looks like, for errors.
    var jsonDescription: String {
        switch self {
        case .text, .path: "a string"
        case .octalMode: "a string of octal permission bits such as \"0660\""
        case .seconds: "a number of seconds"
        case .number: "a number"
        case .integer: "an integer"
        case .logLevel: "a string: one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))"
        case .pathList: "a list of strings"
        case .spaces: "a list of space objects such as {\"kind\": \"e5\"}"
        }
    }

    private func mustBe(_ name: String, got text: String) -> ConfigurationError {
        ConfigurationError("\(name) must be \(displayName == "integer" ? "an integer" : "a number"), got \"\(text)\"")
    }

    private static func level(_ text: String, name: String) throws -> Logger.Level {
        guard let level = Logger.Level(rawValue: text) else {
            throw ConfigurationError(
                "\(name) must be one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")), got \"\(text)\""
            )
        }
        return level
    }

    /// A leading "~/" means the daemon user's home: neither JSON nor `--flag=~/x` gets it from a shell.
    static func expandingHome(_ path: String) -> String {
        guard path.hasPrefix("~/") else { return path }
        return FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(String(path.dropFirst(2))).path
    }
}

/// Decoding errors say "Path: spaces.Index 0.kind"; the setting name in front already says most of it.
private func describe(_ error: any Error) -> String {
    switch error {
    case DecodingError.keyNotFound(let key, let context):
        return "\(path(context.codingPath)) has no \"\(key.stringValue)\""
    case DecodingError.typeMismatch(let type, let context), DecodingError.valueNotFound(let type, let context):
        return "\(path(context.codingPath)) must be \(type == String.self ? "a string" : "a number")"
    case DecodingError.dataCorrupted(let context):
        return "\(path(context.codingPath)): \(context.debugDescription)"
    default:
        return "\(error)"
    }
}

private func path(_ codingPath: [any CodingKey]) -> String {
    codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().trimmingPrefix(".").description
}

/// Any key: the config file's keys are checked against the table, not against a fixed enum.
struct AnyCodingKey: CodingKey {
    var stringValue: String
    var intValue: Int?
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) {
        self.stringValue = "\(intValue)"
        self.intValue = intValue
    }
}

// MARK: - config file

/// The config file's top-level object, read key by key against the table.
private struct ConfigurationFileValues: Decodable {
    var assignments = SettingAssignments()

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyCodingKey.self)
        let keys = container.allKeys.map(\.stringValue).sorted()
        for key in keys {
            let setting: DaemonSetting
            if let current = DaemonSettings.setting(forKey: key) {
                setting = current
            } else if let renamed = DaemonSettings.setting(forDeprecatedKey: key) {
                guard !keys.contains(renamed.key) else {
                    throw ConfigurationError(
                        "both \"\(key)\" and \"\(renamed.key)\" are set; \"\(key)\" is the old name of \"\(renamed.key)\": keep only \"\(renamed.key)\""
                    )
                }
                assignments.warnings.append("setting \"\(key)\" is deprecated; call it \"\(renamed.key)\"")
                setting = renamed
            } else {
                throw ConfigurationError(
                    "unknown setting \"\(key)\"\(suggestion(for: key, among: DaemonSettings.table.map(\.key)))")
            }
            assignments.values[setting.key] = try setting.type.decode(
                from: container, key: AnyCodingKey(stringValue: key), name: key)
        }
    }
}

/// ", did you mean "x"?" when a known name is a small edit away.
func suggestion(for name: String, among candidates: [String]) -> String {
    let scored = candidates.map { ($0, editDistance(name, $0)) }.min { $0.1 < $1.1 }
    guard let (best, distance) = scored, distance <= max(2, name.count / 3) else { return "" }
    return "; did you mean \"\(best)\"?"
}

private func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a)
    let b = Array(b)
    var previous = Array(0...b.count)
    for i in 1...max(a.count, 1) where !a.isEmpty {
        var current = [i] + Array(repeating: 0, count: b.count)
        for j in 1...max(b.count, 1) where !b.isEmpty {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        previous = current
    }
    return previous[b.count]
}

extension DaemonSettings {
    /// Reads a config file's settings. Unknown keys are an error so a misspelt setting is never silently ignored.
    static func readConfigFile(_ path: String) throws -> SettingAssignments {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ConfigurationError("cannot read config file \(path): \(error.localizedDescription)")
        }
        // JSONDecoder only says "not valid JSON"; JSONSerialization says where.
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw ConfigurationError("config file \(path) is not valid JSON: \(syntaxErrorLocation(error, in: data))")
        }
        guard object is [String: Any] else {
            throw ConfigurationError("config file \(path) must hold one JSON object of settings, {\"key\": value, ...}")
        }
        do {
            return try JSONDecoder().decode(ConfigurationFileValues.self, from: data).assignments
        } catch let error as ConfigurationError {
            throw ConfigurationError("config file \(path): \(error.description)")
        } catch {
            throw ConfigurationError("config file \(path) is not valid: \(describe(error))")
        }
    }

    /// "line 3, column 9: invalid value" from Foundation's "Invalid value around character 22." (a byte offset).
    static func syntaxErrorLocation(_ error: any Error, in data: Data) -> String {
        let detail = ((error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String) ?? "\(error)"
        guard let match = detail.firstMatch(of: /character (\d+)/), let offset = Int(match.1) else { return detail }
        var line = 1
        var lineStart = 0
        for (index, byte) in data.prefix(offset).enumerated() where byte == UInt8(ascii: "\n") {
            line += 1
            lineStart = index + 1
        }
        // Columns count characters, not bytes, so a line with Chinese text before the error still points right.
        let column =
            String(
                decoding: data[data.startIndex + lineStart..<data.startIndex + min(offset, data.count)], as: UTF8.self
            ).count + 1
        let reason = detail.replacing(/\ around character \d+\.?/, with: "").lowercased()
        return "line \(line), column \(column): \(reason)"
    }

    // MARK: - environment and flags

    static func readEnvironment(_ environment: [String: String]) throws -> SettingAssignments {
        var assignments = SettingAssignments()
        for setting in table {
            guard let text = environment[setting.environmentVariable] else { continue }
            assignments.values[setting.key] = try setting.type.parse(
                commandLine: [text], name: setting.environmentVariable, environment: true)
        }
        return assignments
    }

    /// What the command line asked for besides settings.
    struct ParsedArguments {
        var configPath: String?
        var help = false
        var printDocs = false
        var version = false
        var buildWordTable = false
        var assignments = SettingAssignments()
    }

    /// Flags are `--flag VALUE` or `--flag=VALUE`; only a list setting's flag may repeat.
    static func parseArguments(_ arguments: [String]) throws -> ParsedArguments {
        var parsed = ParsedArguments()
        var occurrences: [String: [String]] = [:]
        var index = 0
        func value(for flag: String, inline: String?) throws -> String {
            if let inline { return inline }
            index += 1
            guard index < arguments.count, !arguments[index].hasPrefix("--") else {
                throw ConfigurationError("\(flag) needs a value")
            }
            return arguments[index]
        }
        while index < arguments.count {
            let argument = arguments[index]
            let parts = argument.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let flag = String(parts[0])
            let inline = argument.hasPrefix("--") && parts.count == 2 ? String(parts[1]) : nil
            if helpFlags.contains(argument) {
                parsed.help = true
            } else if argument == printDocsFlag {
                parsed.printDocs = true
            } else if argument == "--version" {
                parsed.version = true
            } else if argument == buildWordTableFlag {
                parsed.buildWordTable = true
            } else if flag == configFlag {
                guard parsed.configPath == nil else { throw ConfigurationError("\(configFlag) is given twice") }
                parsed.configPath = try value(for: flag, inline: inline)
            } else if argument.hasPrefix("--"), let setting = setting(forFlag: flag) {
                occurrences[setting.key, default: []].append(try value(for: flag, inline: inline))
            } else if argument.hasPrefix("-") {
                let known =
                    table.map(\.flag) + [configFlag, printDocsFlag, "--help", "--version", buildWordTableFlag]
                throw ConfigurationError(
                    "unknown option \(flag)\(suggestion(for: flag, among: known)) (see glimpsed --help)")
            } else {
                throw ConfigurationError(
                    "unexpected argument \"\(argument)\": glimpsed takes only options (see glimpsed --help)")
            }
            index += 1
        }
        for setting in table {
            guard let values = occurrences[setting.key] else { continue }
            parsed.assignments.values[setting.key] = try setting.type.parse(
                commandLine: values, name: setting.flag, environment: false)
        }
        return parsed
    }

    /// Defaults, then the file, the environment and the flags, each overriding the one before.
    static func resolve(_ sources: [SettingAssignments]) throws -> DaemonConfiguration {
        var configuration = DaemonConfiguration()
        var modelPathSet = false
        for source in sources {
            for setting in table {
                guard let value = source.values[setting.key] else { continue }
                setting.store(&configuration, value)
                if setting.key == "model_path" { modelPathSet = true }
            }
        }
        if !modelPathSet { configuration.modelPath = defaultModelPath(dataDirectory: configuration.dataDirectory) }
        try configuration.validate()
        return configuration
    }

    static func defaultModelPath(dataDirectory: String) -> String {
        URL(fileURLWithPath: dataDirectory, isDirectory: true).appendingPathComponent(defaultModelFileName).path
    }
}

/// What `glimpsed` was asked to do.
public enum DaemonCommandLine {
    public enum Action: Sendable {
        case run(DaemonConfiguration, warnings: [String])
        case help(String)
        case printConfigurationDocs(String)
        /// `--version`: the text to print (`glimpsed 0.1.0`).
        case version(String)
        /// `--build-word-table`: write the word-vector table for these settings, then exit.
        case buildWordTable(DaemonConfiguration)
    }

    /// `arguments` without the program name. Errors are `ConfigurationError`s naming the flag, variable or key.
    public static func parse(arguments: [String], environment: [String: String]) throws -> Action {
        let parsed = try DaemonSettings.parseArguments(arguments)
        if parsed.help { return .help(DaemonSettings.helpText()) }
        if parsed.printDocs { return .printConfigurationDocs(DaemonSettings.configurationDocs()) }
        if parsed.version { return .version("glimpsed \(GlimpseVersion.current)\n") }
        var sources: [SettingAssignments] = []
        if let path = parsed.configPath ?? environment[DaemonSettings.configEnvironmentVariable] {
            sources.append(try DaemonSettings.readConfigFile(path))
        }
        sources.append(try DaemonSettings.readEnvironment(environment))
        sources.append(parsed.assignments)
        let configuration = try DaemonSettings.resolve(sources)
        if parsed.buildWordTable { return .buildWordTable(configuration) }
        return .run(configuration, warnings: sources.flatMap(\.warnings))
    }
}
