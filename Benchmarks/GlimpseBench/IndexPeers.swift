import ArgumentParser
import Foundation

/// faiss-cpu and hnswlib on the benchmark's vectors, held by Benchmarks/index_peers_reference.py in a child Python
/// process (its stderr goes to ours) that answers one JSON object per line. The peers are built once; then the
/// bench asks for one timed search pass at a time, so its own passes and the peers' alternate and the shared
/// machine's cache and load hit every implementation alike (separate runs differed by up to 1.8× on the same index).
final class IndexPeerSession {
    private struct Line: Decodable {
        var peer: String?
        var kind: String
        var seconds: Double?
        var threads: Int?
        var ef: Int?
        var recall: Double?
    }

    /// The peers' curves: build times and recall per ef; QPS points are filled in by the bench from `pass`.
    private(set) var curves: [IndexCurve] = []
    /// Short names the script takes ("faiss", "hnswlib"), in `curves` order.
    let commands = ["faiss", "hnswlib"]
    private let process = Process()
    private let input = Pipe()
    private let output = Pipe()
    private var buffered = Data()
    private let folder: URL
    private let python: String

    init(python: String, workload: IndexWorkload, truth: [[Int64]], efs: [Int]) throws {
        self.python = python
        let script = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("index_peers_reference.py").path
        folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "glimpse-bench-peers-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try workload.writeForPeers(to: folder, truth: truth)
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            python, script, folder.path, "\(workload.dimension)", efs.map(String.init).joined(separator: ","),
        ]
        process.standardInput = input
        process.standardOutput = output
        try process.run()

        while true {
            let line = try readLine()
            switch line.kind {
            case "build":
                guard let peer = line.peer, let seconds = line.seconds else { throw unexpected(line) }
                curves.append(IndexCurve(name: peer, buildSeconds: seconds, buildThreads: line.threads ?? 1))
            case "recall":
                guard let last = curves.indices.last, curves[last].name == line.peer, let ef = line.ef,
                    let recall = line.recall
                else { throw unexpected(line) }
                curves[last].points.append(IndexCurve.Point(ef: ef, recall: recall, qps: 0))
            case "ready":
                guard curves.count == commands.count else { throw unexpected(line) }
                return
            default:
                throw unexpected(line)
            }
        }
    }

    deinit {
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: folder)
    }

    /// Seconds the peer at `index` (in `curves`) takes for one pass over the queries at `ef`.
    func pass(peer index: Int, ef: Int) throws -> Double {
        try input.fileHandleForWriting.write(contentsOf: Data("\(commands[index]) \(ef)\n".utf8))
        let line = try readLine()
        guard line.kind == "pass", line.peer == curves[index].name, line.ef == ef, let seconds = line.seconds else {
            throw unexpected(line)
        }
        return seconds
    }

    private func readLine() throws -> Line {
        while true {
            if let newline = buffered.firstIndex(of: UInt8(ascii: "\n")) {
                let text = buffered[buffered.startIndex..<newline]
                buffered = Data(buffered[(newline + 1)...])
                return try JSONDecoder().decode(Line.self, from: Data(text))
            }
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty {
                process.waitUntilExit()
                throw ValidationError(
                    "\(python) index_peers_reference.py exited with \(process.terminationStatus) "
                        + "(pip install faiss-cpu hnswlib numpy?)")
            }
            buffered.append(chunk)
        }
    }

    private func unexpected(_ line: Line) -> ValidationError {
        ValidationError("peer script printed an unexpected row: \(line)")
    }
}
