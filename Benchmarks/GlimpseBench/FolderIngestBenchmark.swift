import ArgumentParser
import Foundation

/// `glimpse-bench folder`: `glimpse ingest --dir` on a copy of the shared photos through the real daemon, the
/// first run (every photo read, hashed, embedded) beside the unchanged rerun (every photo skipped by its size and
/// mtime without being read), in files/s, for an E5-only daemon and, with --clip-folder, one with a CLIP space too.
struct FolderIngestBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "folder",
        abstract: "glimpse ingest --dir files/s through the real glimpsed: the first run beside the unchanged rerun.",
        discussion: """
            Each repeat copies the photos into a fresh folder with a sidecar caption per photo (NAME.jpg.json, \
            "a photo of LABEL"; an E5-only daemon needs a caption), starts glimpsed on a fresh data directory, runs \
            `glimpse ingest --dir FOLDER --json` twice and reads files/s from the two summaries (the whole CLI run: \
            walk, send, wait for the job). Medians over --repeats. Smoke check: glimpse-bench folder --repeats 1.
            """)

    private static let repository = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Option(help: "The photo folder to copy (default: ../shared/data/photos beside the repository).")
    var photos = repository.deletingLastPathComponent().appendingPathComponent("shared/data/photos").path

    @Option(help: "A CLIP checkpoint folder (Hugging Face layout): also measure a daemon with this image space.")
    var clipFolder: String?

    @Option(help: "Path to e5-small-q4.bin.")
    var model = FileManager.default.homeDirectoryForCurrentUser
        .appendingPathComponent(".local/share/glimpse/models/e5-small-q4.bin").path

    @Option(help: "Repeats per configuration (fresh folder and daemon each); medians are printed.")
    var repeats = 3

    @Option(help: "The directory holding glimpsed and glimpse (default: beside this glimpse-bench, the same build).")
    var binaries: String?

    @Option(help: "Where to create the benchmark directory (default: the system temp directory).")
    var workDirectory: String?

    func validate() throws {
        guard (1...20).contains(repeats) else { throw ValidationError("--repeats is 1…20") }
        guard FileManager.default.fileExists(atPath: model) else { throw ValidationError("no model at \(model)") }
        if let clipFolder, !FileManager.default.fileExists(atPath: clipFolder + "/config.json") {
            throw ValidationError("no config.json in --clip-folder \(clipFolder)")
        }
    }

    struct Summary: Decodable {
        var seen: Int
        var unchanged: Int
        var ingested: Int
        var failed: Int
        var seconds: Double
    }

    struct Measurement {
        var first: Summary
        var rerun: Summary
    }

    func run() throws {
        let binaryDirectory =
            binaries.map { URL(fileURLWithPath: $0) }
            ?? URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        let work = URL(fileURLWithPath: workDirectory ?? NSTemporaryDirectory())
            .appendingPathComponent("glimpse-bench-folder-\(getpid())")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }

        var configurations: [(name: String, spaces: String)] = [("E5 only", #"[{"kind": "e5"}]"#)]
        if let clipFolder {
            let name = URL(fileURLWithPath: clipFolder).lastPathComponent
            configurations.append(
                ("E5 + CLIP (\(name))", #"[{"kind": "e5"}, {"kind": "clip", "folder": "\#(clipFolder)"}]"#))
        }
        let loadBefore = MachineLoad.loadAverage()
        var rows: [(String, Int, [Measurement])] = []
        for configuration in configurations {
            var measurements: [Measurement] = []
            for repeatIndex in 0..<repeats {
                let run = work.appendingPathComponent("run-\(rows.count)-\(repeatIndex)")
                let folder = run.appendingPathComponent("photos")
                let count = try copyPhotos(to: folder)
                let config = run.appendingPathComponent("glimpsed.json")
                try Data(#"{"spaces": \#(configuration.spaces)}"#.utf8).write(to: config)
                let daemon = try LoadDaemon(
                    binary: binaryDirectory.appendingPathComponent("glimpsed"), runDirectory: run,
                    dataDirectory: run.appendingPathComponent("data"), modelPath: model, logName: "glimpsed.log",
                    environment: ["GLIMPSE_CONFIG": config.path])
                defer { daemon.stop() }
                _ = try daemon.waitUntilReady(timeout: 600)
                let glimpse = binaryDirectory.appendingPathComponent("glimpse")
                let first = try ingest(folder, glimpse: glimpse, daemon: daemon)
                let rerun = try ingest(folder, glimpse: glimpse, daemon: daemon)
                guard first.seen == count, first.failed == 0, rerun.unchanged == count else {
                    throw ValidationError(
                        "unexpected summaries: first \(first), rerun \(rerun) for \(count) photos:\n\(daemon.log.suffix(2000))"
                    )
                }
                measurements.append(Measurement(first: first, rerun: rerun))
            }
            rows.append((configuration.name, measurements.first?.first.seen ?? 0, measurements))
        }
        let loadAfter = MachineLoad.loadAverage()

        print("glimpse ingest --dir on \(photos) (medians of \(repeats); files/s over the whole CLI run)")
        print(
            "| daemon | photos | first run files/s | first run s | unchanged rerun files/s | rerun s | rerun / first time |"
        )
        print("| --- | --- | --- | --- | --- | --- | --- |")
        for (name, count, measurements) in rows {
            let first = median(measurements.map(\.first.seconds))
            let rerun = median(measurements.map(\.rerun.seconds))
            print(
                "| \(name) | \(count) | \(format(Double(count) / first)) | \(format(first)) | "
                    + "\(format(Double(count) / rerun)) | \(format(rerun)) | \(String(format: "%.3f", rerun / first)) |"
            )
        }
        print("machine load (/proc/loadavg 1/5/15 min): before \(loadBefore), after \(loadAfter)")
    }

    /// The photos (recognised extensions) copied into `folder`, each with a sidecar caption; returns the count.
    private func copyPhotos(to folder: URL) throws -> Int {
        let manager = FileManager.default
        let names = manager.enumerator(atPath: photos)?.allObjects.compactMap { $0 as? String } ?? []
        var count = 0
        for relative in names.sorted() {
            let ext = (relative as NSString).pathExtension.lowercased()
            guard ["jpg", "jpeg", "png", "webp", "heic", "heif", "avif"].contains(ext) else { continue }
            let target = folder.appendingPathComponent(relative)
            try manager.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            try manager.copyItem(atPath: photos + "/" + relative, toPath: target.path)
            let label = (relative as NSString).deletingLastPathComponent
            try Data(#"{"captions": {"en": "a photo of \#(label)"}}"#.utf8)
                .write(to: URL(fileURLWithPath: target.path + ".json"))
            count += 1
        }
        return count
    }

    private func ingest(_ folder: URL, glimpse: URL, daemon: LoadDaemon) throws -> Summary {
        let process = Process()
        process.executableURL = glimpse
        process.arguments = [
            "--socket", daemon.socketPath, "--admin-socket", daemon.adminSocketPath, "ingest", "--dir", folder.path,
            "--json",
        ]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ValidationError("glimpse ingest --dir exited \(process.terminationStatus)")
        }
        return try JSONDecoder().decode(Summary.self, from: data)
    }

    private func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted.count % 2 == 1
            ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }

    private func format(_ value: Double) -> String {
        value >= 100 ? String(format: "%.0f", value) : String(format: value >= 10 ? "%.1f" : "%.2f", value)
    }
}
