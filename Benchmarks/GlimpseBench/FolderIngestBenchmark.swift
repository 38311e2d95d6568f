import ArgumentParser
import Foundation
import GlimpseTransformer

/// `glimpse-bench folder`: `glimpse ingest --dir` on a copy of the shared photos through the real daemon, the
/// first run (every photo read, hashed, embedded) beside the unchanged rerun (every photo skipped by its size and
/// mtime without being read), in files/s, for an E5-only daemon and, with --clip-folder, one with a CLIP space too,
/// whose first run is printed beside the tower-only rate of the same photos (read + decode + preprocess + vision
/// tower in this process, the same threads): what the rest of ingest costs on top of the image path.
struct FolderIngestBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "folder",
        abstract: "glimpse ingest --dir files/s through the real glimpsed: the first run beside the unchanged rerun.",
        discussion: """
            Each repeat copies the photos into a fresh folder with a sidecar caption per photo (NAME.jpg.json, \
            "a photo of LABEL"; an E5-only daemon needs a caption), starts glimpsed on a fresh data directory, runs \
            `glimpse ingest --dir FOLDER --json` twice and reads files/s from the two summaries (the whole CLI run: \
            walk, send, wait for the job). Medians over --repeats. With --clip-folder, the same photos also go through \
            that checkpoint in this process (CLIPEmbedder: read, full-size decode, preprocess, vision tower, 8 per \
            batch, no overlap), --repeats times before the daemons start: the tower-only images/s beside the \
            daemon's first run. A folder with only config.json and model.safetensors (the random full-size \
            checkpoints `glimpse-bench clip` caches in ~/.cache/glimpse/clip-bench) is completed in the work \
            directory with links to its files and the tiny fixture's tokenizer (the images' path is unchanged). \
            Smoke check: glimpse-bench folder --repeats 1.
            """)

    private static let repository = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Option(help: "The photo folder to copy (default: ../shared/data/photos beside the repository).")
    var photos = repository.deletingLastPathComponent().appendingPathComponent("shared/data/photos").path

    @Option(help: "A CLIP checkpoint folder (Hugging Face layout): also measure a daemon with this image space.")
    var clipFolder: String?

    @Option(help: "Threads of the daemon's encoders (encoder_threads) and of the in-process tower.")
    var threads = 2

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
        guard (1...256).contains(threads) else { throw ValidationError("--threads is 1…256") }
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
        // The in-process tower must run OpenBLAS's kernels for this CPU, as glimpsed does (see the type).
        OpenBLASCoreType.reexecuteIfGeneric()
        let binaryDirectory =
            binaries.map { URL(fileURLWithPath: $0) }
            ?? URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        let work = URL(fileURLWithPath: workDirectory ?? NSTemporaryDirectory())
            .appendingPathComponent("glimpse-bench-folder-\(getpid())")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }

        var configurations: [(name: String, spaces: String)] = [("E5 only", #"[{"kind": "e5"}]"#)]
        let loadBefore = MachineLoad.loadAverage()
        var towerRates: [Double] = []
        var decodingSeconds: [Double] = []
        var completedNote: String?
        if let clipFolder {
            let name = URL(fileURLWithPath: clipFolder).lastPathComponent
            let (folder, completed) = try FolderIngestTowerRate.loadableFolder(
                URL(fileURLWithPath: clipFolder), repository: Self.repository, work: work)
            if completed {
                completedNote =
                    "\(name) has no tokenizer or preprocessor_config.json: completed with the tiny fixture's tokenizer"
            }
            configurations.append(
                ("E5 + CLIP (\(name))", #"[{"kind": "e5"}, {"kind": "clip", "folder": "\#(folder.path)"}]"#))
            let files = photoFiles().map { URL(fileURLWithPath: photos).appendingPathComponent($0) }
            for _ in 0..<repeats {
                let measured = try FolderIngestTowerRate.imagesPerSecond(folder: folder, files: files, threads: threads)
                towerRates.append(measured.rate)
                decodingSeconds.append(measured.decoding)
            }
        }
        var rows: [(String, Int, [Measurement])] = []
        for configuration in configurations {
            var measurements: [Measurement] = []
            for repeatIndex in 0..<repeats {
                let run = work.appendingPathComponent("run-\(rows.count)-\(repeatIndex)")
                let folder = run.appendingPathComponent("photos")
                let count = try copyPhotos(to: folder)
                let config = run.appendingPathComponent("glimpsed.json")
                try Data(#"{"encoder_threads": \#(threads), "spaces": \#(configuration.spaces)}"#.utf8).write(
                    to: config)
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

        print(
            "glimpse ingest --dir on \(photos) (medians of \(repeats); files/s over the whole CLI run; \(threads) threads)"
        )
        print("CPU: \(MachineLoad.processor())")
        print(
            "| daemon | photos | first run files/s | first run s | unchanged rerun files/s | rerun s | rerun / first time "
                + "| tower-only images/s | first run / tower-only |"
        )
        print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
        for (name, count, measurements) in rows {
            let first = median(measurements.map(\.first.seconds))
            let rerun = median(measurements.map(\.rerun.seconds))
            // The tower-only rate belongs to the daemon with the CLIP space (the last row).
            let tower = name != rows.last?.0 || towerRates.isEmpty ? nil : median(towerRates)
            print(
                "| \(name) | \(count) | \(format(Double(count) / first)) | \(format(first)) | "
                    + "\(format(Double(count) / rerun)) | \(format(rerun)) | \(String(format: "%.3f", rerun / first)) | "
                    + "\(tower.map(format) ?? "—") | \(tower.map { String(format: "%.2f", Double(count) / first / $0) } ?? "—") |"
            )
        }
        if !towerRates.isEmpty {
            print(
                "tower-only: the same photos through CLIPEmbedder in this process (read, full-size decode, preprocess, "
                    + "vision tower, 8 per batch, no overlap), \(threads) threads, "
                    + "OpenBLAS \(OpenBLASCoreType.current) kernels; runs: "
                    + towerRates.map(format).joined(separator: ", ")
                    + "; of which read + decode "
                    + decodingSeconds.map { String(format: "%.2f s", $0) }.joined(separator: ", "))
        }
        if let completedNote { print(completedNote) }
        print("machine load (/proc/loadavg 1/5/15 min): before \(loadBefore), after \(loadAfter)")
    }

    /// The photos of `photos` (recognised extensions), relative paths, sorted.
    private func photoFiles() -> [String] {
        let names = FileManager.default.enumerator(atPath: photos)?.allObjects.compactMap { $0 as? String } ?? []
        return names.sorted().filter {
            ["jpg", "jpeg", "png", "webp", "heic", "heif", "avif"].contains(($0 as NSString).pathExtension.lowercased())
        }
    }

    /// The photos copied into `folder`, each with a sidecar caption; returns the count.
    private func copyPhotos(to folder: URL) throws -> Int {
        let manager = FileManager.default
        var count = 0
        for relative in photoFiles() {
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
