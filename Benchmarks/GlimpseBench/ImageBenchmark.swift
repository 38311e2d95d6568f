import ArgumentParser
import Foundation
import GlimpseImage

/// Decode and CLIP preprocessing speed, ours beside PIL + transformers' CLIPImageProcessorPil on the same files.
struct ImageBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "images",
        abstract:
            "Image decode + CLIP preprocess (224², bicubic): ours vs PIL + CLIPImageProcessorPil, one thread each.",
        discussion: "Files are read into memory first; decode and preprocess are timed separately.")

    @Option(help: "Folder of photos (searched recursively for .jpg/.jpeg/.png/.webp).")
    var directory: String = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("../shared/data/photos").standardizedFileURL.path

    @Option(
        help: "Python with Pillow and transformers for the reference run ($GLIMPSE_BENCH_PYTHON or python3 on PATH).")
    var python = ReferencePython.defaultPath

    @Option(help: "Passes over the files per engine.")
    var repeats = 3

    func run() throws {
        let files = try photoFiles()
        guard !files.isEmpty else { throw ValidationError("no .jpg/.jpeg/.png/.webp files under \(directory)") }
        let blobs = try files.map { try Data(contentsOf: $0) }
        let decoder = ImageDecoder()
        let preprocessor = CLIPImagePreprocessor()

        // Warm-up, and the decoded inputs of the preprocess timing.
        let images = try blobs.map { try decoder.decode($0) }
        let count = blobs.count * repeats
        let decode = try time { for blob in blobs { _ = try decoder.decode(blob) } }
        let reduced = try time {
            for blob in blobs {
                _ = try decoder.decode(blob, reducedDecodingMinimumEdge: preprocessor.reducedDecodingMinimumEdge)
            }
        }
        let preprocess = time { for image in images { _ = preprocessor.pixelValues(image) } }
        let reducedImages = try blobs.map {
            try decoder.decode($0, reducedDecodingMinimumEdge: preprocessor.reducedDecodingMinimumEdge)
        }
        let reducedPreprocess = time { for image in reducedImages { _ = preprocessor.pixelValues(image) } }

        let megapixels = images.reduce(0.0) { $0 + Double($1.width * $1.height) } / Double(images.count) / 1e6
        print(
            "\(blobs.count) files × \(repeats) passes from \(directory) (mean \(String(format: "%.2f", megapixels)) MP), one thread"
        )
        var rows = [
            [
                "glimpse (libjpeg-turbo/libpng/libwebp + Swift)", cell(decode, count), cell(preprocess, count),
                cell(decode + preprocess, count),
            ],
            [
                "glimpse, JPEG DCT-scaled decode (≥ 448 px)", cell(reduced, count), cell(reducedPreprocess, count),
                cell(reduced + reducedPreprocess, count),
            ],
        ]
        switch reference(files) {
        case .success(let result):
            rows.append([
                "PIL \(result.versions["pillow"] ?? "?") + transformers \(result.versions["transformers"] ?? "?")",
                cell(result.decode_seconds, result.images), cell(result.preprocess_seconds, result.images),
                cell(result.decode_seconds + result.preprocess_seconds, result.images),
            ])
        case .failure(let error):
            rows.append(["PIL + transformers (\(error.reason))", "n/a", "n/a", "n/a"])
        }
        printTable(header: ["engine", "decode", "preprocess", "decode + preprocess"], rows: rows)
    }

    private func photoFiles() throws -> [URL] {
        let root = URL(fileURLWithPath: directory)
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) else { return [] }
        let extensions: Set<String> = ["jpg", "jpeg", "png", "webp"]
        return walker.compactMap { $0 as? URL }.filter { extensions.contains($0.pathExtension.lowercased()) }
            .sorted { $0.path < $1.path }
    }

    private func time(_ body: () throws -> Void) rethrows -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<repeats { try body() }
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    /// "123.4 img/s, 8.10 ms"
    private func cell(_ seconds: Double, _ images: Int) -> String {
        String(format: "%.1f img/s, %.2f ms", Double(images) / seconds, seconds * 1000 / Double(images))
    }

    private struct ReferenceResult: Decodable {
        let images: Int
        let decode_seconds: Double
        let preprocess_seconds: Double
        let versions: [String: String]
    }

    private struct ReferenceUnavailable: Error {
        let reason: String
    }

    private func reference(_ files: [URL]) -> Result<ReferenceResult, ReferenceUnavailable> {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("image_preprocess_reference.py").path
        guard FileManager.default.isExecutableFile(atPath: python) else {
            return .failure(.init(reason: "no \(python)"))
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [script, "--repeat", String(repeats)] + files.map(\.path)
        // One thread, like ours.
        var environment = ProcessInfo.processInfo.environment
        for name in ["OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"] { environment[name] = "1" }
        process.environment = environment
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        do {
            try process.run()
        } catch {
            return .failure(.init(reason: "cannot run \(python)"))
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        _ = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0, let result = try? JSONDecoder().decode(ReferenceResult.self, from: data)
        else {
            return .failure(.init(reason: "reference script failed"))
        }
        return .success(result)
    }

    private func printTable(header: [String], rows: [[String]]) {
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        for row in [header] + rows {
            print(
                zip(row, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  "))
        }
    }
}
