import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The real `glimpsed` binary on a benchmark data directory, as the end-to-end tests start it
/// (Tests/GlimpseEndToEndTests/DaemonProcess.swift): its own sockets, data directory and model, log to a file.
final class LoadDaemon {
    let process = Process()
    let socketPath: String
    let adminSocketPath: String
    let logURL: URL
    private let launched: DispatchTime

    /// `environment`: extra variables for the daemon (e.g. GLIMPSE_INDEX_VECTOR_ENCODING), on top of this process's;
    /// `arguments`: extra flags (the word-vector table's path).
    init(
        binary: URL, runDirectory: URL, dataDirectory: URL, modelPath: String, logName: String,
        environment: [String: String] = [:], arguments: [String] = []
    ) throws {
        socketPath = runDirectory.appendingPathComponent("query.sock").path
        adminSocketPath = runDirectory.appendingPathComponent("admin.sock").path
        logURL = runDirectory.appendingPathComponent(logName)
        _ = FileManager.default.createFile(atPath: logURL.path, contents: nil)
        let log = try FileHandle(forWritingTo: logURL)
        process.executableURL = binary
        process.arguments =
            [
                "--socket", socketPath, "--admin-socket", adminSocketPath, "--data-dir", dataDirectory.path,
                "--model", modelPath, "--log-level", "notice",
            ] + arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardOutput = log
        process.standardError = log
        launched = .now()
        try process.run()
    }

    var pid: Int32 { process.processIdentifier }
    var log: String { (try? String(contentsOf: logURL, encoding: .utf8)) ?? "" }

    /// Seconds since launch at which both sockets answered `/v1/health` (the index is loaded before they open).
    func waitUntilReady(timeout: Double = 4 * 3600) throws -> Double {
        while true {
            guard process.isRunning else {
                throw LoadBenchmarkError("glimpsed exited during start-up:\n\(log.suffix(2000))")
            }
            if (try? UnixHTTPConnection(socketPath: socketPath).get("/v1/health").status) == 200,
                (try? UnixHTTPConnection(socketPath: adminSocketPath).get("/v1/health").status) == 200
            {
                return secondsSinceLaunch
            }
            guard secondsSinceLaunch < timeout else {
                throw LoadBenchmarkError("glimpsed not ready after \(timeout) s")
            }
            usleep(20_000)
        }
    }

    var secondsSinceLaunch: Double { Double(DispatchTime.now().uptimeNanoseconds - launched.uptimeNanoseconds) / 1e9 }

    /// (VmRSS, VmHWM) in kB from /proc/PID/status.
    func memoryKB() -> (rss: Int, peak: Int) {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return (0, 0) }
        func field(_ name: String) -> Int {
            guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(name + ":") }) else { return 0 }
            return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") ?? 0
        }
        return (field("VmRSS"), field("VmHWM"))
    }

    /// SIGTERM (the daemon writes its index snapshots on the way out); seconds until it exited.
    @discardableResult
    func stop(timeout: Double = 1800) -> Double {
        let started = DispatchTime.now()
        guard process.isRunning else { return 0 }
        process.terminate()
        while process.isRunning {
            if Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9 > timeout {
                kill(pid, SIGKILL)
                break
            }
            usleep(20_000)
        }
        process.waitUntilExit()
        return Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }
}

/// Machine facts every table is quoted with.
enum MachineLoad {
    static func loadAverage() -> String {
        ((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "?")
            .split(separator: " ").prefix(3).joined(separator: " ")
    }

    /// The CPU as /proc/cpuinfo names it, with its family and model ("AMD EPYC, family 25 model 17, 2 cores"):
    /// ratios against a peer depend on it (PyTorch's MKL, for one, runs other kernels on AMD than on Intel).
    static func processor() -> String {
        let info = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        var fields: [String: String] = [:]
        for line in info.split(separator: "\n") {
            guard !line.isEmpty else { break }  // the first processor's block is enough
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2 else { continue }
            let key = parts[0].trimmingCharacters(in: .whitespaces)
            if fields[key] == nil { fields[key] = parts[1].trimmingCharacters(in: .whitespaces) }
        }
        let cores = ProcessInfo.processInfo.activeProcessorCount
        guard let name = fields["model name"] else { return "unknown CPU, \(cores) cores" }
        return "\(name), family \(fields["cpu family"] ?? "?") model \(fields["model"] ?? "?"), \(cores) cores"
    }

    /// Bytes of the regular files under `directory`.
    static func diskBytes(_ directory: URL) -> Int {
        guard let enumerator = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: [.fileSizeKey])
        else {
            return 0
        }
        var total = 0
        for case let url as URL in enumerator {
            total += (try? url.resourceValues(forKeys: [.fileSizeKey]).fileSize) ?? 0
        }
        return total
    }
}
