import ArgumentParser
import Foundation
import GlimpseCLIP
import GlimpseE5
import GlimpseEmbedding

/// Images/s of our CLIP vision tower beside PyTorch `transformers` on the same random ViT-B/32 and ViT-B/16
/// checkpoints, the same inputs and the same thread count, in one run.
struct CLIPBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clip",
        abstract: "CLIP vision towers (ViT-B/32, ViT-B/16, random weights): images/s, ours vs PyTorch transformers.",
        discussion: """
            Benchmarks/clip_vision_reference.py writes each random checkpoint once as a Hugging Face folder in the \
            cache directory (plus 8 random preprocessed images); both engines load that folder. Threads: \
            OPENBLAS_NUM_THREADS for ours, and the same count is passed to torch.set_num_threads. The tower \
            rates are for ready model tensors; decode + preprocess of real photos is timed separately in the same \
            run (as `glimpse-bench images`), ours beside PIL + CLIPImageProcessorPil.
            """)

    @Option(help: "Python with torch and transformers ($GLIMPSE_BENCH_PYTHON or python3 on PATH).")
    var python = ReferencePython.defaultPath

    @Option(help: "Where the random checkpoints are written once (never in the repository).")
    var cacheDir = FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/glimpse/clip-bench")
        .path

    @Option(help: "Comma-separated batch sizes.")
    var batchSizes = "1,8"

    @Option(help: "Minimum seconds per measurement (at least 3 batches are always timed).")
    var minSeconds = 5.0

    @Option(help: "Photos for the decode + preprocess part (default: ../shared/data/photos).")
    var imageDirectory: String?

    @Option(help: "Comma-separated variants: b32, b16.")
    var variants = "b32,b16"

    func run() throws {
        let script = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("clip_vision_reference.py").path
        let sizes = batchSizes.split(separator: ",").compactMap { Int($0) }.filter { $0 > 0 }
        guard !sizes.isEmpty else { throw ValidationError("--batch-sizes needs positive integers") }
        let threads = E5TextEmbedder.blasThreadCount

        var rows: [[String]] = []
        var agreements: [String] = []
        var referenceVersions = ""
        for variant in variants.split(separator: ",").map(String.init) {
            guard let patch = ["b32": 32, "b16": 16][variant] else {
                throw ValidationError("unknown variant \(variant)")
            }
            let folder = URL(fileURLWithPath: cacheDir).appendingPathComponent("clip-vit-base-patch\(patch)-random")
            try runPython(script, ["prepare", "--variant", variant, "--dir", folder.path])

            let start = Date()
            let checkpoint = try CLIPCheckpoint(folder: folder)
            let load = Date().timeIntervalSince(start)
            let inputs = try readInputs(folder.appendingPathComponent("inputs.f32"))
            let perImage = checkpoint.vision.configuration.pixelCount
            let inputCount = inputs.count / perImage
            var ours: [Int: Double] = [:]
            for size in sizes {
                let batch = (0..<size).flatMap {
                    inputs[(($0 % inputCount) * perImage)..<((($0 % inputCount) + 1) * perImage)]
                }
                ours[size] = try imagesPerSecond(batchSize: size) {
                    _ = try checkpoint.vision.imageFeatures(pixelValues: batch, count: size)
                }
            }
            let oursFeatures = try checkpoint.vision.imageFeatures(pixelValues: inputs, count: inputCount)

            let output = try runPython(
                script,
                [
                    "run", "--dir", folder.path, "--batch-sizes", batchSizes,
                    "--threads", String(threads), "--min-seconds", String(minSeconds),
                ])
            let reference = try JSONDecoder().decode(ReferenceRun.self, from: output)
            let cosines = zip(oursFeatures, reference.features).map { cosine($0, $1) }
            let differences = zip(oursFeatures, reference.features).map { zip($0, $1).map { abs($0 - $1) }.max() ?? 0 }
            agreements.append(
                "ViT-B/\(patch): minimum cosine \(String(format: "%.6f", cosines.min() ?? 0)), max abs "
                    + "diff \(String(format: "%.2e", differences.max() ?? 0)) over \(inputCount) images; "
                    + "ours loaded in \(String(format: "%.2f", load)) s")
            for size in sizes {
                let theirs = reference.imagesPerSecond[String(size)] ?? .nan
                rows.append([
                    "ViT-B/\(patch)", "\(size)", rate(ours[size]!), rate(theirs),
                    String(format: "%.2f×", ours[size]! / theirs),
                ])
            }
            referenceVersions =
                "torch \(reference.torch), transformers \(reference.transformers), attention "
                + "\(reference.attention), torch threads \(reference.threads)"
        }
        print("reference: \(referenceVersions)")
        print(
            "threads: OpenBLAS \(threads) (ours) = torch.set_num_threads, \(ProcessInfo.processInfo.activeProcessorCount) cores"
        )
        printTable(
            header: ["model", "batch", "glimpse (Swift + OpenBLAS)", "PyTorch transformers", "ours / torch"],
            rows: rows)
        for agreement in agreements { print(agreement) }
        // The rates above are for ready model inputs; decoding and preprocessing the same kind of input (224² CLIP
        // preprocessing of real photos) is timed separately, in the same run, ours beside PIL + transformers.
        print("\ndecode + preprocess, timed separately:")
        let images = try ImageBenchmark.parse(
            ["--python", python] + (imageDirectory.map { ["--directory", $0] } ?? []))
        try images.run()
    }

    private struct ReferenceRun: Decodable {
        let imagesPerSecond: [String: Double]
        let features: [[Float]]
        let threads: Int
        let attention: String
        let torch: String
        let transformers: String

        enum CodingKeys: String, CodingKey {
            case features, threads, attention, torch, transformers
            case imagesPerSecond = "images_per_second"
        }
    }

    /// Warm-up once, then batches until both 3 batches and `minSeconds` have passed.
    private func imagesPerSecond(batchSize: Int, _ body: () throws -> Void) throws -> Double {
        try body()
        var runs = 0
        let start = DispatchTime.now().uptimeNanoseconds
        var elapsed = 0.0
        while runs < 3 || elapsed < minSeconds {
            try body()
            runs += 1
            elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        }
        return Double(runs * batchSize) / elapsed
    }

    private func readInputs(_ url: URL) throws -> [Float] {
        let data = try Data(contentsOf: url)
        return data.withUnsafeBytes { bytes in
            (0..<(data.count / 4)).map {
                Float(bitPattern: UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self)))
            }
        }
    }

    /// Runs the reference script (its stderr goes to ours); returns its stdout.
    @discardableResult
    private func runPython(_ script: String, _ arguments: [String]) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [script] + arguments
        let stdout = Pipe()
        process.standardOutput = stdout
        var environment = ProcessInfo.processInfo.environment
        environment["TOKENIZERS_PARALLELISM"] = "false"
        environment["OMP_NUM_THREADS"] = String(E5TextEmbedder.blasThreadCount)  // torch's OpenMP pool = our threads
        process.environment = environment
        try process.run()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ValidationError(
                "\(python) \(script) \(arguments.first ?? "") exited with \(process.terminationStatus)")
        }
        return output
    }

    private func cosine(_ a: [Float], _ b: [Float]) -> Float {
        var dot: Double = 0
        var na: Double = 0
        var nb: Double = 0
        for (x, y) in zip(a, b) {
            dot += Double(x) * Double(y)
            na += Double(x) * Double(x)
            nb += Double(y) * Double(y)
        }
        return Float(dot / (na.squareRoot() * nb.squareRoot()))
    }

    private func rate(_ value: Double) -> String { String(format: "%.2f images/s", value) }

    private func printTable(header: [String], rows: [[String]]) {
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        for row in [header] + rows {
            print(
                zip(row, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  "))
        }
    }
}
