import Foundation
import GlimpseAPI
import GlimpseClient
import GlimpseTestSupport
import Testing

/// Paths the end-to-end tests need: the built executables, the repository, the shared photos and the model.
enum TestEnvironment {
    static let repository = TestFixtures.repository

    /// `swift test` runs the test bundle from the build folder that also holds `glimpsed` and `glimpse`.
    static var binaries: URL {
        if let override = ProcessInfo.processInfo.environment["GLIMPSE_BIN_DIR"] {
            return URL(fileURLWithPath: override)
        }
        var candidate = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        while candidate.path != "/" {
            candidate.deleteLastPathComponent()
            if FileManager.default.isExecutableFile(atPath: candidate.appendingPathComponent("glimpsed").path) {
                return candidate
            }
        }
        return repository.appendingPathComponent(".build/debug")
    }

    static var sharedPhotos: URL { TestFixtures.sharedPhotos }

    static var modelPath: String {
        ProcessInfo.processInfo.environment["GLIMPSE_MODEL_PATH"]
            ?? FileManager.default.homeDirectoryForCurrentUser
            .appendingPathComponent(".local/share/glimpse/models/e5-small-q4.bin").path
    }

    /// Fails the test with instructions, rather than skipping it, when a prerequisite is missing.
    static func requirePrerequisites() throws {
        try #require(
            FileManager.default.fileExists(atPath: modelPath),
            "model missing at \(modelPath): run scripts/fetch-model.sh (scripts/test.sh does)")
        try #require(
            FileManager.default.fileExists(atPath: sharedPhotos.appendingPathComponent("labels.tsv").path),
            "shared photos missing at \(sharedPhotos.path)")
        try #require(
            FileManager.default.isExecutableFile(atPath: binaries.appendingPathComponent("glimpsed").path),
            "glimpsed not built in \(binaries.path): run swift build first")
    }
}

/// A real `glimpsed` process on a temporary socket and data directory.
final class DaemonProcess: @unchecked Sendable {  // only used from one test task at a time
    let directory: URL
    let socketPath: String
    let adminSocketPath: String
    let process = Process()
    let logURL: URL

    init(directory: URL, extraArguments: [String] = []) throws {
        self.directory = directory
        socketPath = directory.appendingPathComponent("glimpse.sock").path
        adminSocketPath = directory.appendingPathComponent("admin.sock").path
        logURL = directory.appendingPathComponent("glimpsed.log")
        FileManager.default.createFile(atPath: logURL.path, contents: nil)
        let log = try FileHandle(forWritingTo: logURL)
        process.executableURL = TestEnvironment.binaries.appendingPathComponent("glimpsed")
        process.arguments =
            [
                "--socket", socketPath, "--admin-socket", adminSocketPath, "--data-dir",
                directory.appendingPathComponent("data").path,
                "--model", TestEnvironment.modelPath,
            ] + (extraArguments.contains("--log-level") ? [] : ["--log-level", "info"]) + extraArguments
        process.standardOutput = log
        process.standardError = log
        try process.run()
    }

    /// The query socket: search, reads, status.
    var client: GlimpseClient { GlimpseClient(socketPath: socketPath) }
    /// The admin socket: ingest, delete, rebuild (and every read).
    var adminClient: GlimpseClient { GlimpseClient(socketPath: adminSocketPath) }
    /// `glimpse` arguments naming both sockets.
    var socketArguments: [String] { ["--socket", socketPath, "--admin-socket", adminSocketPath] }
    var log: String { (try? String(contentsOf: logURL, encoding: .utf8)) ?? "" }

    /// Waits until the daemon answers /v1/health; model loading takes a moment.
    func waitUntilHealthy() async throws {
        for _ in 0..<600 {
            if !process.isRunning {
                Issue.record("glimpsed exited during start-up:\n\(log)")
                throw CancellationError()
            }
            if (try? await client.health()) != nil, (try? await adminClient.health()) != nil { return }
            try await Task.sleep(for: .milliseconds(200))
        }
        Issue.record("glimpsed did not become healthy:\n\(log)")
        throw CancellationError()
    }

    /// Waits until no job is queued or running, and returns the last status.
    @discardableResult
    func waitUntilJobsDrained() async throws -> StatusResponse {
        var status = try await client.status()
        for _ in 0..<600 where (status.catalog.jobs["queued"] ?? 0) + (status.catalog.jobs["running"] ?? 0) > 0 {
            try await Task.sleep(for: .milliseconds(200))
            status = try await client.status()
        }
        return status
    }

    /// Kills the daemon the hard way, as a power cut or the OOM killer would: no shutdown code runs.
    func killHard() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// Sends SIGTERM and returns the exit status.
    func terminate() async -> Int32 {
        guard process.isRunning else { return process.terminationStatus }
        process.terminate()
        for _ in 0..<600 where process.isRunning {
            try? await Task.sleep(for: .milliseconds(100))
        }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            return -1
        }
        return process.terminationStatus
    }
}

/// Starts `glimpsed` on `directory`, waits until it is healthy, runs `body`, and always stops the daemon afterwards
/// (SIGTERM, then SIGKILL if it does not exit), whether `body` returns or throws. A test that checks the shutdown
/// itself calls `terminate()` inside `body`; stopping an exited daemon again is a no-op.
func withDaemon<Result>(
    in directory: URL, extraArguments: [String] = [], _ body: (DaemonProcess) async throws -> Result
) async throws -> Result {
    let daemon = try DaemonProcess(directory: directory, extraArguments: extraArguments)
    do {
        try await daemon.waitUntilHealthy()
        let result = try await body(daemon)
        _ = await daemon.terminate()
        return result
    } catch {
        _ = await daemon.terminate()
        throw error
    }
}
