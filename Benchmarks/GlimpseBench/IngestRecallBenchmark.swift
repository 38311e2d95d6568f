import ArgumentParser
import Foundation
import GlimpseEvaluation

/// `glimpse-bench ingest-recall`: does search quality hold while a catalog grows through the API, as a nightly
/// ingest grows it? The real daemon with the E5 model ingests the 177 shared photos' captions, then synthetic
/// caption items in API-sized batches; after each stage, after a restart and after a rebuild it counts the photos
/// found by their own caption in the top 10 at the default ef (issue 11's "recall rots under incremental ingest").
struct IngestRecallBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest-recall",
        abstract:
            "The real glimpsed: photos found by their own caption in the top 10 after the eval photos, after N synthetic items ingested through the API, after a restart and after a rebuild.",
        discussion: """
            Every item goes through POST /v1/items on the admin socket (at most --batch items per request, waiting \
            for each job), so the index grows by the daemon's incremental insertion, as it does for a user. Synthetic \
            captions are templated from the shared photos' labels (zh and en, distinct texts); their items point at \
            the shared photos' files (the daemon hashes the image bytes). Smoke check: \
            glimpse-bench ingest-recall --totals 500,1000.
            """)

    private static let repository = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Option(
        help: "Cumulative synthetic item counts after which recall is measured, comma-separated (k suffix allowed).")
    var totals = "10k,15k"

    @Option(help: "Items per ingest request (the API allows at most 1000).")
    var batch = 1_000

    @Option(help: "Results per search (k); a photo counts as found when it is among them.")
    var k = 10

    @Option(help: "The eval set (TSV).")
    var set = repository.appendingPathComponent("Benchmarks/EvalSets/shared-photos.tsv").path

    @Option(help: "The directory the eval set's photo paths are relative to.")
    var photos = repository.deletingLastPathComponent().appendingPathComponent("shared/data/photos").path

    @Option(help: "Path to e5-small-q4.bin.")
    var model = FileManager.default.homeDirectoryForCurrentUser
        .appendingPathComponent(".local/share/glimpse/models/e5-small-q4.bin").path

    @Option(help: "The glimpsed binary (default: the one beside this glimpse-bench, i.e. the same build).")
    var glimpsed: String?

    @Option(help: "Where to create the benchmark directory (default: the system temp directory).")
    var workDirectory: String?

    @Option(help: "index_vector_encoding for the daemon (float32 or sq8; default: the daemon's own default).")
    var indexEncoding: String?

    @Flag(help: "Keep the benchmark directory (catalog, snapshots, daemon logs).")
    var keep = false

    func validate() throws {
        _ = try parsedTotals()
        guard (1...1_000).contains(batch), (1...100).contains(k) else {
            throw ValidationError("--batch is 1…1000, --k 1…100")
        }
        guard FileManager.default.fileExists(atPath: model) else { throw ValidationError("no model at \(model)") }
        if let indexEncoding, !["float32", "sq8"].contains(indexEncoding) {
            throw ValidationError("--index-encoding is float32 or sq8")
        }
    }

    private func parsedTotals() throws -> [Int] {
        let values = try totals.split(separator: ",").map { part -> Int in
            let text = part.trimmingCharacters(in: .whitespaces).lowercased()
            let (digits, factor) = text.hasSuffix("k") ? (text.dropLast(), 1_000) : (Substring(text), 1)
            guard let value = Int(digits), value > 0 else { throw ValidationError("bad total \"\(part)\" in --totals") }
            return value * factor
        }
        guard values == values.sorted(), Set(values).count == values.count else {
            throw ValidationError("--totals must increase")
        }
        return values
    }

    private var glimpsedBinary: URL {
        if let glimpsed { return URL(fileURLWithPath: glimpsed) }
        return URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
            .appendingPathComponent("glimpsed")
    }

    struct Stage {
        var name: String
        var items: Int
        var found: Int
        var seconds: Double
        var load: String
    }

    func run() throws {
        let totals = try parsedTotals()
        guard FileManager.default.isExecutableFile(atPath: glimpsedBinary.path) else {
            throw ValidationError("no glimpsed at \(glimpsedBinary.path): build it or pass --glimpsed")
        }
        let evalSet = try EvalSet.parse(try String(contentsOfFile: set, encoding: .utf8), name: set)
        let photosRoot = URL(fileURLWithPath: photos, isDirectory: true)
        let vocabulary = try LoadVocabulary.load(
            labelsTSV: photosRoot.appendingPathComponent("labels.tsv"), evalSetTSV: URL(fileURLWithPath: set))
        let loadAtStart = MachineLoad.loadAverage()
        let base = URL(fileURLWithPath: workDirectory ?? FileManager.default.temporaryDirectory.path)
            .appendingPathComponent("glimpse-ingest-recall-\(ProcessInfo.processInfo.processIdentifier)")
        let data = base.appendingPathComponent("data")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        defer {
            if keep { log("kept \(base.path)") } else { try? FileManager.default.removeItem(at: base) }
        }
        log("glimpse-bench ingest-recall: \(evalSet.count) photos, then \(totals) synthetic items, batches of \(batch)")
        log("cores \(ProcessInfo.processInfo.activeProcessorCount), load average \(loadAtStart)")
        let environment = indexEncoding.map { ["GLIMPSE_INDEX_VECTOR_ENCODING": $0] } ?? [:]
        func start(_ logName: String) throws -> LoadDaemon {
            let daemon = try LoadDaemon(
                binary: glimpsedBinary, runDirectory: base, dataDirectory: data, modelPath: model, logName: logName,
                environment: environment)
            _ = try daemon.waitUntilReady()
            return daemon
        }

        var stages: [Stage] = []
        var daemon = try start("glimpsed-1.log")
        defer { daemon.stop() }
        var started = Date()

        // 1. The eval photos, captioned as in the eval set; the item id is the photo's relative path.
        let photoItems: [[String: Any]] = evalSet.map { photo in
            [
                "id": photo.path, "image_path": photosRoot.appendingPathComponent(photo.path).path,
                "captions": [photo.captionLanguage: photo.caption],
            ]
        }
        try ingest(photoItems, daemon: daemon)
        stages.append(try measure("eval photos", items: evalSet.count, since: started, evalSet: evalSet, daemon))

        // 2. Synthetic items in API-sized batches, recall after each cumulative total.
        let generator = SyntheticCaptions(
            vocabulary: vocabulary, imagePaths: evalSet.map { photosRoot.appendingPathComponent($0.path).path })
        var ingested = 0
        for total in totals {
            started = Date()
            while ingested < total {
                let end = min(ingested + batch, total)
                try ingest((ingested..<end).map(generator.item), daemon: daemon)
                ingested = end
                if ingested % 5_000 == 0 || ingested == total {
                    log(
                        String(
                            format: "  %d/%d synthetic items, %.0f s", ingested, total,
                            Date().timeIntervalSince(started)))
                }
            }
            stages.append(
                try measure(
                    "+\(total) synthetic (API)", items: evalSet.count + total, since: started, evalSet: evalSet, daemon)
            )
        }

        // 3. Restart: the snapshot written at SIGTERM is what the next start loads.
        started = Date()
        daemon.stop()
        daemon = try start("glimpsed-2.log")
        stages.append(
            try measure("after a restart", items: evalSet.count + ingested, since: started, evalSet: evalSet, daemon))

        // 4. Rebuild from the catalog (a batch build of the same vectors).
        started = Date()
        let admin = try UnixHTTPConnection(socketPath: daemon.adminSocketPath)
        let answer = try admin.request("POST", "/v1/admin/rebuild", json: Array("{}".utf8))
        guard answer.status == 202, let job = Self.json(answer.body)?["job_id"] as? Int else {
            throw LoadBenchmarkError(
                "rebuild answered \(answer.status): \(String(decoding: answer.body, as: UTF8.self))")
        }
        try waitForJob(job, connection: admin)
        stages.append(
            try measure("after a rebuild", items: evalSet.count + ingested, since: started, evalSet: evalSet, daemon))

        let loadAtEnd = MachineLoad.loadAverage()
        print("")
        print(
            "glimpse-bench ingest-recall — \(MachineLoad.processor()); load average \(loadAtStart) at start, \(loadAtEnd) at end"
        )
        print(
            "\(evalSet.count) eval photos found by their own caption in the top \(k) (default ef, alignment on); synthetic items ingested through POST /v1/items in batches of \(batch)\(indexEncoding.map { "; index_vector_encoding \($0)" } ?? "")"
        )
        print("")
        print("| stage | items | photos found in top \(k) | share | stage time | load average after |")
        print("| --- | ---: | ---: | ---: | ---: | --- |")
        for stage in stages {
            print(
                "| \(stage.name) | \(stage.items) | \(stage.found)/\(evalSet.count) | "
                    + String(format: "%.3f", Double(stage.found) / Double(evalSet.count))
                    + String(format: " | %.1f s | ", stage.seconds) + "\(stage.load) |")
        }
    }

    /// POSTs `items` in one request to the admin socket and waits for the job; a failed item is an error, since a
    /// missing photo would read as lost recall.
    private func ingest(_ items: [[String: Any]], daemon: LoadDaemon) throws {
        let connection = try UnixHTTPConnection(socketPath: daemon.adminSocketPath)
        let body = try JSONSerialization.data(withJSONObject: ["items": items])
        let answer = try connection.request("POST", "/v1/items", json: Array(body))
        guard answer.status == 202, let job = Self.json(answer.body)?["job_id"] as? Int else {
            throw LoadBenchmarkError(
                "ingest answered \(answer.status): \(String(decoding: answer.body, as: UTF8.self))")
        }
        let progress = try waitForJob(job, connection: connection)
        if let failed = progress["failed"] as? Int, failed > 0 {
            throw LoadBenchmarkError("ingest job \(job): \(failed) items failed: \(progress["errors"] ?? "")")
        }
    }

    @discardableResult
    private func waitForJob(_ job: Int, connection: UnixHTTPConnection) throws -> [String: Any] {
        while true {
            let answer = try connection.get("/v1/jobs/\(job)")
            guard answer.status == 200, let progress = Self.json(answer.body) else {
                throw LoadBenchmarkError("job \(job) answered \(answer.status)")
            }
            switch progress["state"] as? String {
            case "done": return progress
            case "failed": throw LoadBenchmarkError("job \(job) failed: \(progress)")
            default: usleep(50_000)
            }
        }
    }

    private func measure(
        _ name: String, items: Int, since started: Date, evalSet: [EvalPhoto], _ daemon: LoadDaemon
    ) throws -> Stage {
        let seconds = Date().timeIntervalSince(started)
        let connection = try UnixHTTPConnection(socketPath: daemon.socketPath)
        var found = 0
        for photo in evalSet {
            let answer = try connection.get(LoadClients.searchTarget(photo.caption, k: k, aligned: true))
            guard answer.status == 200, let results = Self.json(answer.body)?["results"] as? [[String: Any]] else {
                throw LoadBenchmarkError(
                    "search answered \(answer.status): \(String(decoding: answer.body, as: UTF8.self))")
            }
            if results.contains(where: { $0["id"] as? String == photo.path }) { found += 1 }
        }
        let stage = Stage(name: name, items: items, found: found, seconds: seconds, load: MachineLoad.loadAverage())
        log(
            String(format: "  %@: %d/%d found (stage %.1f s, load %@)", name, found, evalSet.count, seconds, stage.load)
        )
        return stage
    }

    private static func json(_ body: [UInt8]) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any]
    }

    private func log(_ message: String) {
        FileHandle.standardError.write(Data("[\(Date())] \(message)\n".utf8))
    }
}

/// Distinct synthetic captions over the shared photos' labels (zh or en, one or two objects, a modifier and a
/// place), deterministic per item index, so stages and runs ingest the same items.
struct SyntheticCaptions {
    let vocabulary: LoadVocabulary
    let imagePaths: [String]

    func item(_ index: Int) -> [String: Any] {
        var random = SplitMix64(seed: 0x1A6E_5700 &+ UInt64(index) &* 0x9E37_79B9)
        func pick<T>(_ values: [T]) -> T { values[Int(random.next() % UInt64(values.count))] }
        let label = pick(vocabulary.labels)
        let other = pick(vocabulary.labels)
        let adjective = pick(LoadVocabulary.adjectives)
        let place = pick(LoadVocabulary.places)
        let chinese = random.next() % 2 == 0
        let caption: String
        switch random.next() % 4 {
        case 0:
            caption =
                chinese
                ? "\(place.zh)的一只\(adjective.zh)\(label.zh)" : "A \(adjective.en) \(label.en) \(place.en)"
        case 1:
            caption =
                chinese
                ? "\(adjective.zh)\(label.zh)和\(other.zh)\(place.zh)"
                : "A \(adjective.en) \(label.en) and a \(other.en) \(place.en)"
        case 2:
            caption =
                chinese
                ? "\(place.zh)拍的\(label.zh)，旁边有\(other.zh)"
                : "Picture of a \(label.en) \(place.en), next to a \(other.en)"
        default:
            caption =
                chinese
                ? "一张\(adjective.zh)\(label.zh)的照片 #\(index)" : "Photo #\(index) of a \(adjective.en) \(label.en)"
        }
        return [
            "id": "synthetic-\(index)", "image_path": imagePaths[index % imagePaths.count],
            "captions": [chinese ? "zh" : "en": caption],
        ]
    }
}
