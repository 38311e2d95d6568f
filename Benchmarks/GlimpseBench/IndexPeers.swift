import ArgumentParser
import Foundation

/// faiss-cpu and hnswlib on the benchmark's vectors, run by Benchmarks/index_peers_reference.py in a child
/// Python process (its stderr goes to ours); one JSON object per line comes back.
enum IndexPeers {
    private struct Line: Decodable {
        var peer: String
        var kind: String
        var seconds: Double
        var threads: Int?
        var ef: Int?
        var recall: Double?
    }

    static func run(python: String, workload: IndexWorkload, truth: [[Int64]], efs: [Int], rounds: Int) throws
        -> [IndexCurve]
    {
        let script = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("index_peers_reference.py").path
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "glimpse-bench-peers-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try workload.writeForPeers(to: folder, truth: truth)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            python, script, folder.path, "\(workload.dimension)", efs.map(String.init).joined(separator: ","),
            "\(rounds)",
        ]
        let stdout = Pipe()
        process.standardOutput = stdout
        try process.run()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ValidationError(
                "\(python) \(script) exited with \(process.terminationStatus) (pip install faiss-cpu hnswlib numpy?)")
        }

        var curves: [IndexCurve] = []
        for text in String(decoding: output, as: UTF8.self).split(separator: "\n") {
            let line = try JSONDecoder().decode(Line.self, from: Data(text.utf8))
            switch line.kind {
            case "build":
                curves.append(IndexCurve(name: line.peer, buildSeconds: line.seconds, buildThreads: line.threads ?? 1))
            case "search":
                guard let last = curves.indices.last, curves[last].name == line.peer, let ef = line.ef,
                    let recall = line.recall
                else {
                    throw ValidationError("peer script printed a search row out of order: \(text)")
                }
                curves[last].points.append(
                    IndexCurve.Point(ef: ef, recall: recall, qps: Double(workload.queries.count) / line.seconds))
            default:
                throw ValidationError("peer script printed an unknown row: \(text)")
            }
        }
        return curves
    }
}
