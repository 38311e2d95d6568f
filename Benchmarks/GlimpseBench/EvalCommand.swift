import ArgumentParser
import Foundation
import GlimpseAPI
import GlimpseE5
import GlimpseEmbedding
import GlimpseEvaluation
import GlimpseService
import Logging

/// `glimpse-bench eval`: ingests the labelled eval set into a throw-away catalog through the real service
/// (GlimpseService + E5TextEmbedder + the configured dictionary), runs every label as a query in Chinese and in
/// English with alignment off and on, and prints recall@1, recall@5, MRR and the zh/en top-10 overlap.
struct EvalCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Cross-lingual retrieval quality on the labelled eval set, alignment off and on.")

    private static let repository = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    private static let home = FileManager.default.homeDirectoryForCurrentUser

    @Option(help: "The eval set (TSV).")
    var set = repository.appendingPathComponent("Benchmarks/EvalSets/shared-photos.tsv").path

    @Option(help: "The ambiguity set (TSV); an empty string skips that section.")
    var ambiguity = repository.appendingPathComponent("Benchmarks/EvalSets/ambiguity.tsv").path

    @Option(help: "The directory the eval set's photo paths are relative to.")
    var photos = repository.deletingLastPathComponent().appendingPathComponent("shared/data/photos").path

    @Option(help: "Path to e5-small-q4.bin.")
    var model = home.appendingPathComponent(".local/share/glimpse/models/e5-small-q4.bin").path

    @Option(help: "The bilingual dictionary (scripts/fetch-dictionary.sh).")
    var dictionary = home.appendingPathComponent(".local/share/glimpse/dictionaries/cedict-0.1.0-EnWords.csv").path

    @Option(help: "CC-CEDICT read beside the word list (scripts/fetch-dictionary.sh); \"\" for the word list alone.")
    var ccCedict = home.appendingPathComponent(".local/share/glimpse/dictionaries/cc-cedict-2023-11-07.u8").path

    @Flag(help: "Also print every query whose first hit is wrong with alignment on.")
    var misses = false

    @Flag(help: "Also print rows for each alignment technique alone (dictionary, centring).")
    var techniques = false

    @Flag(help: "Also measure per-language centring (exact cosine over the eval set, outside the service).")
    var centring = false

    func run() async throws {
        let photosRoot = URL(fileURLWithPath: photos, isDirectory: true)
        let evalSet = try EvalSet.parse(try String(contentsOfFile: set, encoding: .utf8), name: set)
        let senses =
            ambiguity.isEmpty
            ? [] : try AmbiguityItem.parse(try String(contentsOfFile: ambiguity, encoding: .utf8), name: ambiguity)

        let workDirectory = FileManager.default.temporaryDirectory
            .appendingPathComponent("glimpse-eval-\(ProcessInfo.processInfo.processIdentifier)", isDirectory: true)
        try? FileManager.default.removeItem(at: workDirectory)
        try FileManager.default.createDirectory(at: workDirectory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: workDirectory) }

        var logger = Logger(label: "glimpse-eval")
        logger.logLevel = .warning
        var configuration = ServiceConfiguration(
            dataDirectory: workDirectory.appendingPathComponent("data", isDirectory: true))
        configuration.dictionaryPath = dictionary
        configuration.cedictPath = ccCedict.isEmpty ? nil : ccCedict
        let embedder = try E5TextEmbedder(modelPath: model)
        let service = try GlimpseService(
            configuration: configuration, embedders: [embedder], modelPath: model, logger: logger)
        let worker = Task { try await service.run() }
        defer { worker.cancel() }

        // The main set: item id = the photo's relative path.
        var items = evalSet.map { photo in
            IngestItem(
                id: photo.path, imagePath: photosRoot.appendingPathComponent(photo.path).path,
                captions: [photo.captionLanguage: photo.caption])
        }
        // Caption-only items of the ambiguity section stand on a placeholder photo (this is text retrieval, but
        // ingest checks that every image decodes): a copy of the first eval photo with the item's name after the
        // JPEG's end marker, which decoders ignore, so each placeholder has its own content hash.
        var seenSenseItems: Set<String> = []
        let placeholderPhoto = try evalSet.first.map {
            try Data(contentsOf: photosRoot.appendingPathComponent($0.path))
        }
        for item in senses where item.caption != nil && seenSenseItems.insert(item.item).inserted {
            guard let placeholderPhoto else { throw ValidationError("the eval set has no photo to stand in") }
            let placeholder = workDirectory.appendingPathComponent(
                item.item.replacingOccurrences(of: "/", with: "_") + ".jpg")
            try (placeholderPhoto + Data(item.item.utf8)).write(to: placeholder)
            items.append(
                IngestItem(
                    id: item.item, imagePath: placeholder.path, captions: [item.caption!.language: item.caption!.text]))
        }
        let accepted = try service.ingest(items)
        while true {
            let job = try service.job(id: accepted.jobID)
            if job.state.isFinished {
                guard job.failed == 0 else {
                    throw ValidationError(
                        "ingest failed for \(job.failed) items: \(job.errors.prefix(3).map(\.message))")
                }
                break
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        let status = try service.status()
        print(
            "eval set: \(evalSet.count) photos, \(Set(evalSet.map(\.labelEnglish)).count) labels; captions "
                + "\(evalSet.filter { $0.captionLanguage == "zh" }.count) zh / \(evalSet.filter { $0.captionLanguage == "en" }.count) en; "
                + "model \(status.model.name); alignment "
                + (status.alignment?.active == true
                    ? "available (\(status.alignment!.englishHeadwords) English headwords)"
                    : "UNAVAILABLE: \(status.alignment?.error ?? "?")"))

        let labels = LabelQueries.make(from: evalSet)
        let mainItems = Set(evalSet.map(\.path))
        var rows: [[String]] = []
        var missLines: [String] = []
        let modes: [QueryAlignment] = techniques ? [.off, .dictionary, .centring, .full] : [.off, .full]
        for mode in modes {
            var report = LanguagePairReport()
            for label in labels {
                // The ambiguity section's extra items are left out of the main figures.
                let zh = try await service.search(label.chinese, k: 40, ef: nil, alignment: mode)
                let en = try await service.search(label.english, k: 40, ef: nil, alignment: mode)
                let zhRanking = zh.results.map(\.id).filter(mainItems.contains)
                let enRanking = en.results.map(\.id).filter(mainItems.contains)
                report.add(label: label, chineseRanking: zhRanking, englishRanking: enRanking)
                if mode == .full, misses {
                    for (response, ranked) in [(zh, zhRanking), (en, enRanking)]
                    where !label.photos.contains(ranked.first ?? "") {
                        missLines.append(
                            "  \(response.query) [searched \(response.searched ?? [])]: got \(ranked.prefix(3).joined(separator: ", "))"
                        )
                    }
                }
            }
            rows += report.rows(alignment: Self.name(mode))
        }
        print()
        printEvalTable(header: LanguagePairReport.header, rows: rows)
        print(
            "\nsame = the query's language is the caption's; cross = the other language. A hit is any photo of the label;"
                + " for labels with photos in both languages the cross rows ignore the label's same-language photos (and vice versa)."
        )
        if centring {
            print("\nper-language centring, exact cosine (no index, no dictionary):")
            printEvalTable(
                header: LanguagePairReport.header,
                rows: try CentringExperiment(embedder: embedder, photos: evalSet).rows())
        }
        if !missLines.isEmpty {
            print("\nfirst hit wrong with alignment on:")
            for line in missLines { print(line) }
        }
        if !senses.isEmpty {
            print("\nambiguous queries: rank (1–10) of the best item of each sense, '-' = not in the top 10")
            var senseRows: [[String]] = []
            for query in senses.map(\.query).uniqued() {
                let bySense = Dictionary(grouping: senses.filter { $0.query == query }, by: \.sense)
                for align in [false, true] {
                    let ranked = Array(try await ranking(service, query, align: align).prefix(10))
                    let cells = bySense.keys.sorted().map { sense in
                        let rank = RetrievalMetrics.firstRelevantRank(
                            ranked, relevant: Set(bySense[sense]!.map(\.item)))
                        return "\(sense) \(rank.map(String.init) ?? "-")"
                    }
                    senseRows.append([query, align ? "on" : "off"] + [cells.joined(separator: ", ")])
                }
            }
            printEvalTable(header: ["query", "alignment", "best rank per sense"], rows: senseRows)
        }
        worker.cancel()
        _ = try? await worker.value
    }

    private func ranking(_ service: GlimpseService, _ query: String, align: Bool) async throws -> [String] {
        try await service.search(query, k: 30, ef: nil, align: align).results.map(\.id)
    }

    static func name(_ mode: QueryAlignment) -> String {
        switch mode {
        case .off: "off"
        case .dictionary: "dictionary only"
        case .centring: "centring only"
        case .full: "on"
        }
    }
}

extension Sequence where Element: Hashable {
    func uniqued() -> [Element] {
        var seen: Set<Element> = []
        return filter { seen.insert($0).inserted }
    }
}

func printEvalTable(header: [String], rows: [[String]]) {
    let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
    for row in [header] + rows {
        print(zip(row, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  "))
    }
}
