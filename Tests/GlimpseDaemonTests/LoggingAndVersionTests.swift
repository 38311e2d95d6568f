import Foundation
import GlimpseAPI
import GlimpseServer
import Logging
import Synchronization
import Testing

@testable import GlimpseDaemon

@Suite struct JSONLinesLogHandlerTests {
    /// Collects the handler's output lines.
    final class Lines: Sendable {
        private let lines = Mutex<[String]>([])
        func append(_ line: String) { lines.withLock { $0.append(line) } }
        var all: [String] { lines.withLock { $0 } }
    }

    @Test func everyEntryIsOneJSONObjectOnOneLineWithItsMetadata() throws {
        let lines = Lines()
        var logger = Logger(label: "glimpsed") { label in JSONLinesLogHandler(label: label, write: lines.append) }
        logger.logLevel = .debug
        logger[metadataKey: "socket"] = "query"
        logger.info("socket ready", metadata: ["path": "/run/glimpse/q.sock", "mode": "660"])
        logger.warning(
            "two\nlines \"quoted\" 狗", metadata: ["nested": ["a": "1", "list": ["x", "y"]], "socket": "admin"])
        logger.trace("below the level: not written")

        let written = lines.all
        #expect(written.count == 2)
        #expect(written.allSatisfy { $0.hasSuffix("\n") && $0.dropLast().firstIndex(of: "\n") == nil })
        let first = try #require(try JSONSerialization.jsonObject(with: Data(written[0].utf8)) as? [String: Any])
        #expect(Set(first.keys) == ["ts", "level", "label", "message", "metadata"])
        #expect(first["level"] as? String == "info")
        #expect(first["label"] as? String == "glimpsed")
        #expect(first["message"] as? String == "socket ready")
        #expect(
            first["metadata"] as? [String: String] == ["socket": "query", "path": "/run/glimpse/q.sock", "mode": "660"])
        let timestamp = try #require(first["ts"] as? String)
        #expect(timestamp.hasSuffix("Z"), "UTC, said so: \(timestamp)")
        let logged = try Date(timestamp, strategy: JSONLinesLogHandler.timestamp)
        #expect(abs(logged.timeIntervalSinceNow) < 60)

        let second = try #require(try JSONSerialization.jsonObject(with: Data(written[1].utf8)) as? [String: Any])
        #expect(second["message"] as? String == "two\nlines \"quoted\" 狗")
        let metadata = try #require(second["metadata"] as? [String: Any])
        #expect(metadata["socket"] as? String == "admin", "the entry's metadata wins over the handler's")
        let nested = try #require(metadata["nested"] as? [String: Any])
        #expect(nested["list"] as? [String] == ["x", "y"])
    }
}

@Suite struct LogFormatAndVersionSettingsTests {
    private func parse(_ arguments: [String], environment: [String: String] = [:]) throws -> DaemonCommandLine.Action {
        try DaemonCommandLine.parse(arguments: arguments, environment: environment)
    }

    @Test func logFormatIsTextByDefaultJSONWhenAskedAndAnythingElseIsRefused() throws {
        guard case .run(let plain, _) = try parse([]) else {
            Issue.record("not a run")
            return
        }
        #expect(plain.logFormat == .text)
        guard case .run(let json, _) = try parse(["--log-format", "json"]) else {
            Issue.record("not a run")
            return
        }
        #expect(json.logFormat == .json)
        try json.validate()
        guard case .run(let fromEnvironment, _) = try parse([], environment: ["GLIMPSE_LOG_FORMAT": "json"]) else {
            Issue.record("not a run")
            return
        }
        #expect(fromEnvironment.logFormat == .json)
        do {
            _ = try parse(["--log-format=xml"])
            Issue.record("log_format xml was accepted")
        } catch {
            #expect("\(error)".contains("log_format must be one of text, json, got \"xml\""))
        }
        var configuration = json
        configuration.logFormatName = "yaml"
        #expect(throws: ConfigurationError.self) { try configuration.validate() }
    }

    @Test func versionPrintsTheOneVersionConstant() throws {
        guard case .version(let text) = try parse(["--version"]) else {
            Issue.record("--version is not the version action")
            return
        }
        #expect(text == "glimpsed \(GlimpseVersion.current)\n")
    }
}
