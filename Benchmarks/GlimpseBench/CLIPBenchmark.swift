import ArgumentParser
import Foundation
import GlimpseCLIP
import GlimpseE5
import GlimpseEmbedding
import GlimpseImage
import GlimpseTransformer

/// Images/s of our CLIP vision tower (fp32 and int8 linear layers) beside PyTorch `transformers` on the same random
/// ViT-B/32 and ViT-B/16 checkpoints, the same inputs and the same thread count, in one run; and how far int8 moves
/// the features of real photos from fp32.
struct CLIPBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clip",
        abstract:
            "CLIP vision towers (ViT-B/32, ViT-B/16, random weights): images/s, ours fp32 and int8 vs PyTorch transformers.",
        discussion: """
            Benchmarks/clip_vision_reference.py writes each random checkpoint once as a Hugging Face folder in the \
            cache directory (plus 8 random preprocessed images); both engines load that folder. Threads: --threads \
            for our towers' worker pool (OpenBLAS one thread per call), and the same count for torch.set_num_threads. \
            Rounds alternate ours and torch; the table shows each engine's median. The int8 rows quantise the \
            encoder's linear layers (per-row int8 weights, per-token int8 activations); their agreement with fp32 is \
            measured on real photos (decoded and preprocessed as CLIP does). The tower rates are for ready model \
            tensors; decode + preprocess of real photos is timed separately in the same run (as `glimpse-bench \
            images`), ours beside PIL + CLIPImageProcessorPil. A last table times the encoder's four linear-layer \
            products alone at each variant's batch-8 shapes (query/key/value, attention output, MLP in, MLP out): \
            our fp32 `TowerLinear` (its split over the pool, one OpenBLAS sgemm per task) beside \
            torch.nn.functional.linear, in GFLOP/s, rounds interleaved, medians.
            """)

    @Option(help: "Python with torch and transformers ($GLIMPSE_BENCH_PYTHON or python3 on PATH).")
    var python = ReferencePython.defaultPath

    @Option(help: "Where the random checkpoints are written once (never in the repository).")
    var cacheDir = FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/glimpse/clip-bench")
        .path

    @Option(help: "Comma-separated batch sizes.")
    var batchSizes = "1,8"

    @Option(help: "Threads for both engines.")
    var threads = 2

    @Option(help: "Minimum seconds per measurement (at least 3 batches are always timed).")
    var minSeconds = 5.0

    @Option(help: "Rounds (ours fp32, ours int8, torch each round); medians are shown.")
    var rounds = 1

    @Option(help: "Photos for the int8 agreement and the decode + preprocess part (default: ../shared/data/photos).")
    var imageDirectory: String?

    @Option(help: "Real photos whose int8 and fp32 features are compared.")
    var agreementPhotos = 48

    @Option(help: "Comma-separated variants: b32, b16.")
    var variants = "b32,b16"

    @Flag(help: "Skip the decode + preprocess table.")
    var noPreprocess = false

    func run() throws {
        OpenBLASCoreType.reexecuteIfGeneric()  // generic OpenBLAS kernels on an unknown CPU model: see the type
        let script = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("clip_vision_reference.py").path
        let sizes = batchSizes.split(separator: ",").compactMap { Int($0) }.filter { $0 > 0 }
        guard !sizes.isEmpty else { throw ValidationError("--batch-sizes needs positive integers") }
        guard threads > 0, rounds > 0 else { throw ValidationError("--threads and --rounds must be positive") }
        let loadBefore = MachineLoad.loadAverage()
        let photos = try realPhotoInputs()

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
            let fp32 = try CLIPCheckpoint(folder: folder, visionThreads: threads).vision
            let load = Date().timeIntervalSince(start)
            let int8 = try CLIPCheckpoint(folder: folder, visionPrecision: .int8, visionThreads: threads).vision
            let inputs = try readInputs(folder.appendingPathComponent("inputs.f32"))
            let perImage = fp32.configuration.pixelCount
            let inputCount = inputs.count / perImage
            var ours: [LinearPrecision: [Int: [Double]]] = [:]
            var theirs: [Int: [Double]] = [:]
            var reference: ReferenceRun?
            for _ in 0..<rounds {
                for (precision, tower) in [(LinearPrecision.fp32, fp32), (.int8, int8)] {
                    for size in sizes {
                        let batch = (0..<size).flatMap {
                            inputs[(($0 % inputCount) * perImage)..<((($0 % inputCount) + 1) * perImage)]
                        }
                        ours[precision, default: [:]][size, default: []].append(
                            try imagesPerSecond(batchSize: size) {
                                _ = try tower.imageFeatures(pixelValues: batch, count: size)
                            })
                    }
                }
                let output = try runPython(
                    script,
                    [
                        "run", "--dir", folder.path, "--batch-sizes", batchSizes,
                        "--threads", String(threads), "--min-seconds", String(minSeconds),
                    ])
                let run = try JSONDecoder().decode(ReferenceRun.self, from: output)
                for size in sizes { theirs[size, default: []].append(run.imagesPerSecond[String(size)] ?? .nan) }
                reference = run
            }
            guard let reference else { continue }
            let oursFeatures = try fp32.imageFeatures(pixelValues: inputs, count: inputCount)
            let int8Features = try int8.imageFeatures(pixelValues: inputs, count: inputCount)
            let cosines = zip(oursFeatures, reference.features).map { ReferencePython.cosine($0, $1) }
            let differences = zip(oursFeatures, reference.features).map { zip($0, $1).map { abs($0 - $1) }.max() ?? 0 }
            agreements.append(
                "ViT-B/\(patch) fp32 vs torch: minimum cosine \(String(format: "%.6f", cosines.min() ?? 0)), max abs "
                    + "diff \(String(format: "%.2e", differences.max() ?? 0)) over \(inputCount) random inputs; "
                    + "ours loaded in \(String(format: "%.2f", load)) s")
            let randomInt8 = zip(oursFeatures, int8Features).map { ReferencePython.cosine($0, $1) }.sorted()
            agreements.append(
                "ViT-B/\(patch) int8 vs fp32 on the \(inputCount) random inputs: min cosine "
                    + String(format: "%.4f", randomInt8.first ?? 0))
            if !photos.isEmpty {
                let exact = try fp32.imageFeatures(pixelValues: photos.flatMap { $0 }, count: photos.count)
                let quantised = try int8.imageFeatures(pixelValues: photos.flatMap { $0 }, count: photos.count)
                let photoCosines = zip(exact, quantised).map { ReferencePython.cosine($0, $1) }.sorted()
                agreements.append(
                    "ViT-B/\(patch) int8 vs fp32 on \(photos.count) real photos: min cosine "
                        + String(format: "%.4f", photoCosines.first ?? 0) + ", median "
                        + String(format: "%.4f", photoCosines[photoCosines.count / 2]))
            }
            for size in sizes {
                let torch = median(theirs[size] ?? [])
                let exact = median(ours[.fp32]?[size] ?? [])
                let quantised = median(ours[.int8]?[size] ?? [])
                rows.append([
                    "ViT-B/\(patch)", "\(size)", rate(exact), rate(quantised), rate(torch),
                    String(format: "%.2f×", exact / torch), String(format: "%.2f×", quantised / exact),
                ])
            }
            referenceVersions =
                "torch \(reference.torch), transformers \(reference.transformers), attention "
                + "\(reference.attention), torch threads \(reference.threads)"
        }
        let loadAfter = MachineLoad.loadAverage()
        print("reference: \(referenceVersions)")
        print(
            "threads: \(threads) (our worker pool, OpenBLAS \(OpenBLASCoreType.current) kernels one thread per call; "
                + "torch.set_num_threads); int8 kernel "
                + "\(Int8Matrix.kernelName); \(rounds) round(s), medians")
        print("CPU: \(MachineLoad.processor())")
        print("load average (1, 5, 15 min): before \(loadBefore), after \(loadAfter)")
        printTable(
            header: [
                "model", "batch", "glimpse fp32", "glimpse int8", "PyTorch transformers fp32", "fp32 / torch",
                "int8 / fp32",
            ],
            rows: rows)
        for agreement in agreements { print(agreement) }
        try printProducts(script: script)
        guard !noPreprocess else { return }
        // The rates above are for ready model inputs; decoding and preprocessing the same kind of input (224² CLIP
        // preprocessing of real photos) is timed separately, in the same run, ours beside PIL + transformers.
        print("\ndecode + preprocess, timed separately:")
        let images = try ImageBenchmark.parse(
            ["--python", python] + (imageDirectory.map { ["--directory", $0] } ?? []))
        try images.run()
    }

    /// The encoder layer's products at batch 8 (hidden 768, MLP 3072; 50 tokens an image for B/32, 197 for B/16),
    /// ours and torch's, GFLOP/s: where the towers' fp32 time goes, product by product.
    private func printProducts(script: String) throws {
        var shapes: [(name: String, rows: Int, outputs: Int, inputs: Int)] = []
        for variant in variants.split(separator: ",") {
            guard let tokens = ["b32": 50, "b16": 197][String(variant)] else { continue }
            let rows = 8 * tokens
            let model = variant == "b32" ? "ViT-B/32" : "ViT-B/16"
            shapes += [
                ("\(model) query/key/value", rows, 2304, 768), ("\(model) attention output", rows, 768, 768),
                ("\(model) MLP in", rows, 3072, 768), ("\(model) MLP out", rows, 768, 3072),
            ]
        }
        guard !shapes.isEmpty else { return }
        BLAS.useCallerThreadsOnly()
        let pool = WorkerPool(threadCount: threads)
        var ours = [[Double]](repeating: [], count: shapes.count)
        var theirs = [[Double]](repeating: [], count: shapes.count)
        let shapeList = shapes.map { "\($0.rows),\($0.outputs),\($0.inputs)" }.joined(separator: ";")
        for _ in 0..<rounds {
            for (position, shape) in shapes.enumerated() {
                ours[position].append(
                    productRate(rows: shape.rows, outputs: shape.outputs, inputs: shape.inputs, pool: pool))
            }
            let output = try runPython(
                script, ["products", "--shapes", shapeList, "--threads", String(threads), "--min-seconds", "1"])
            let rates = try JSONDecoder().decode(ProductsRun.self, from: output).gflops
            for (position, rate) in rates.enumerated() where position < shapes.count {
                theirs[position].append(rate)
            }
        }
        print("\nlinear-layer products alone, batch 8, fp32 (x·Wᵀ + b), \(threads) threads, GFLOP/s:")
        printTable(
            header: ["product", "rows × outputs × inputs", "glimpse TowerLinear", "torch linear", "glimpse / torch"],
            rows: shapes.indices.map { position in
                let shape = shapes[position]
                let mine = median(ours[position])
                let torch = median(theirs[position])
                return [
                    shape.name, "\(shape.rows) × \(shape.outputs) × \(shape.inputs)", String(format: "%.1f", mine),
                    String(format: "%.1f", torch), String(format: "%.2f×", mine / torch),
                ]
            })
    }

    private struct ProductsRun: Decodable {
        let gflops: [Double]
    }

    /// GFLOP/s of one fp32 `TowerLinear` product (random weights, bias) over at least one second, after a warm-up.
    private func productRate(rows: Int, outputs: Int, inputs: Int, pool: WorkerPool) -> Double {
        var generator = SystemRandomNumberGenerator()
        let weight = (0..<(outputs * inputs)).map { _ in Float.random(in: -1...1, using: &generator) }
        let bias = (0..<outputs).map { _ in Float.random(in: -1...1, using: &generator) }
        let input = (0..<(rows * inputs)).map { _ in Float.random(in: -1...1, using: &generator) }
        var output = [Float](repeating: 0, count: rows * outputs)
        let linear = TowerLinear(weight: weight, bias: bias, outputs: outputs, inputs: inputs, precision: .fp32)
        let apply = {
            input.withUnsafeBufferPointer { x in
                output.withUnsafeMutableBufferPointer { y in
                    linear.apply(x.baseAddress!, rows: rows, into: y.baseAddress!, pool: pool)
                }
            }
        }
        apply()
        var runs = 0
        let start = DispatchTime.now().uptimeNanoseconds
        var elapsed = 0.0
        while runs < 3 || elapsed < 1 {
            apply()
            runs += 1
            elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        }
        return 2 * Double(rows * outputs * inputs) * Double(runs) / elapsed / 1e9
    }

    /// Up to `agreementPhotos` real photos, decoded and preprocessed with CLIP's default processor (224², OpenAI
    /// mean and std), as model inputs.
    private func realPhotoInputs() throws -> [[Float]] {
        let folder =
            imageDirectory
            ?? URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
                "../../../shared/data/photos"
            ).standardizedFileURL.path
        guard let walker = FileManager.default.enumerator(atPath: folder) else { return [] }
        let names = walker.compactMap { $0 as? String }.filter {
            ["jpg", "jpeg", "png", "webp"].contains(URL(fileURLWithPath: $0).pathExtension.lowercased())
        }.sorted().prefix(agreementPhotos)
        let decoder = ImageDecoder()
        let preprocessor = CLIPImagePreprocessor()
        return try names.map {
            preprocessor.pixelValues(
                try decoder.decode(contentsOf: URL(fileURLWithPath: folder).appendingPathComponent($0)))
        }
    }

    private func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return .nan }
        return sorted.count % 2 == 1
            ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
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
    /// torch's OpenMP pool the size of ours.
    private func runPython(_ script: String, _ arguments: [String]) throws -> Data {
        try ReferencePython.run(python, script: script, arguments: arguments, threads: threads)
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
