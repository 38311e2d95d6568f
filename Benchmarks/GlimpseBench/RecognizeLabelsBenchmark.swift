import ArgumentParser
import Foundation
import GlimpseCLIP
import GlimpseE5
import GlimpseEmbedding
import GlimpseImage
import GlimpseService
import GlimpseTokenizers
import GlimpseTransformer

/// What recognize's label vectors cost once per model: `ZeroShotLabeler.labelVectors` (every label × 8 prompt
/// templates through the text tower, CLIP's ensembling) on random full-size OpenAI CLIP and Chinese-CLIP text
/// towers, beside transformers computing the same vectors from the same token ids, in one run.
struct RecognizeLabelsBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recognize-labels",
        abstract: "Recognize label vectors (prompt ensembling) on full-size text towers: ours vs transformers.",
        discussion: """
            Benchmarks/recognize_labels_reference.py writes each random checkpoint once in the cache directory \
            (text tower at the published size, vision tower shrunk). Token ids come from the tiny fixture \
            tokenizers (Tests/Fixtures/CLIP), so both engines see identical ids; the fixture BPE knows few merges, \
            so English prompts are longer than a real tokenizer makes them (the cost is an upper bound). The first \
            --labels labels of the built-in vocabulary are timed and the whole vocabulary's time is extrapolated \
            linearly from them.
            """)

    @Option(help: "Python with torch and transformers ($GLIMPSE_BENCH_PYTHON or python3 on PATH).")
    var python = ReferencePython.defaultPath

    @Option(help: "Where the random checkpoints are written once (never in the repository).")
    var cacheDir = FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(
        ".cache/glimpse/recognize-bench"
    ).path

    @Option(help: "How many labels of the built-in vocabulary are timed.")
    var labels = 64

    @Option(help: "Comma-separated families: clip, chinese_clip.")
    var families = "clip,chinese_clip"

    func run() throws {
        // As the daemon does at start: generic OpenBLAS kernels on an unknown CPU model (see the type).
        OpenBLASCoreType.reexecuteIfGeneric()
        let benchmarks = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath().deletingLastPathComponent()
            .deletingLastPathComponent()
        let script = benchmarks.appendingPathComponent("recognize_labels_reference.py").path
        let fixtures = benchmarks.deletingLastPathComponent().appendingPathComponent("Tests/Fixtures/CLIP")
        let threads = E5TextEmbedder.blasThreadCount
        let vocabulary = LabelVocabulary(labels: Array(LabelVocabulary.builtIn.labels.prefix(max(1, labels))))
        let total = LabelVocabulary.builtIn.labels.count
        var rows: [[String]] = []
        var notes: [String] = []
        var versions = ""
        for family in families.split(separator: ",").map(String.init) {
            guard ["clip", "chinese_clip"].contains(family) else { throw ValidationError("unknown family \(family)") }
            let language: LabelLanguage = family == "clip" ? .english : .chinese
            let tokenizerFolder = fixtures.appendingPathComponent(family == "clip" ? "clip-tiny" : "chinese-clip-tiny")
            let folder = URL(fileURLWithPath: cacheDir).appendingPathComponent("\(family)-text-random")
            let special = family == "clip" ? ["--bos", "912", "--eos", "913", "--pad", "913"] : ["--pad", "0"]
            try runPython(script, ["prepare", "--family", family, "--dir", folder.path] + special)

            let tokenizer = try HuggingFaceTokenizer.load(folder: tokenizerFolder)
            let checkpoint = try CLIPCheckpoint(folder: folder)
            let embedder = CLIPEmbedder(checkpoint: checkpoint, tokenizer: tokenizer, preprocess: { _ in [] })
            let ids = vocabulary.labels.map { label in
                language.prompts(for: language.name(of: label)).map(tokenizer.tokenIDs)
            }
            let idsFile = URL(fileURLWithPath: cacheDir).appendingPathComponent("\(family)-token-ids.json")
            try JSONEncoder().encode(ids).write(to: idsFile)
            let prompts = ids.reduce(0) { $0 + $1.count }
            let meanTokens = Double(ids.joined().reduce(0) { $0 + $1.count }) / Double(prompts)

            let start = DispatchTime.now().uptimeNanoseconds
            let ours = try ZeroShotLabeler.labelVectors(embedder: embedder, vocabulary: vocabulary, language: language)
            let oursSeconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9

            let output = try runPython(
                script, ["run", "--dir", folder.path, "--token-ids", idsFile.path, "--threads", String(threads)])
            let reference = try JSONDecoder().decode(ReferenceRun.self, from: output)
            let cosines = zip(ours, reference.vectors).map { ReferencePython.cosine($0, $1) }
            let oursRate = Double(prompts) / oursSeconds
            rows.append([
                family == "clip" ? "OpenAI CLIP (512×12)" : "Chinese-CLIP (768×12)", "\(vocabulary.labels.count)",
                "\(prompts)", String(format: "%.1f", meanTokens), String(format: "%.1f prompts/s", oursRate),
                String(format: "%.1f prompts/s", reference.promptsPerSecond),
                String(format: "%.2f×", oursRate / reference.promptsPerSecond),
                String(format: "%.0f s", Double(total * language.templates.count) / oursRate),
            ])
            notes.append(
                "\(family): minimum cosine ours vs transformers \(String(format: "%.6f", cosines.min() ?? 0)) over "
                    + "\(cosines.count) label vectors")
            versions =
                "torch \(reference.torch), transformers \(reference.transformers), torch threads \(reference.threads)"
        }
        print(
            "reference: \(versions); OpenBLAS threads \(threads) (ours); load \(MachineLoad.loadAverage()); "
                + "CPU: \(MachineLoad.processor())")
        printTable(
            header: [
                "text tower", "labels", "prompts", "tokens/prompt", "glimpse", "transformers", "ours / theirs",
                "ours, all \(total) labels",
            ], rows: rows)
        for note in notes { print(note) }
    }

    private struct ReferenceRun: Decodable {
        let vectors: [[Float]]
        let promptsPerSecond: Double
        let threads: Int
        let torch: String
        let transformers: String

        enum CodingKeys: String, CodingKey {
            case vectors, threads, torch, transformers
            case promptsPerSecond = "prompts_per_second"
        }
    }

    /// Runs the reference script (its stderr goes to ours); returns its stdout.
    @discardableResult
    /// torch's OpenMP pool the size of ours.
    private func runPython(_ script: String, _ arguments: [String]) throws -> Data {
        try ReferencePython.run(python, script: script, arguments: arguments, threads: E5TextEmbedder.blasThreadCount)
    }

    private func printTable(header: [String], rows: [[String]]) {
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        for row in [header] + rows {
            print(
                zip(row, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  "))
        }
    }
}
