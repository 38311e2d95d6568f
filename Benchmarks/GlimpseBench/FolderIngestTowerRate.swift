import Foundation
import GlimpseCLIP
import GlimpseImage

/// The peer of `glimpse-bench folder`'s CLIP row: the same photos through the same CLIP checkpoint in this process,
/// only what the image part of ingest cannot avoid — read the file, decode it at full size (as ingest does),
/// preprocess and run the vision tower, 8 images per forward pass (ingest's batch), one batch after another.
enum FolderIngestTowerRate {
    /// Images/s of read + decode + preprocess + tower over `files`, after one warm-up batch, and the seconds spent
    /// reading and decoding (the rest is preprocessing and the tower).
    static func imagesPerSecond(folder: URL, files: [URL], threads: Int) throws -> (rate: Double, decoding: Double) {
        let embedder = try CLIPEmbedder.load(folder: folder, visionThreads: threads)
        let decoder = ImageDecoder()
        let batchSize = 8
        var decoding: UInt64 = 0
        func embed(_ batch: ArraySlice<URL>) throws {
            let started = DispatchTime.now().uptimeNanoseconds
            let images = try batch.map { try decoder.decode(contentsOf: $0) }
            decoding += DispatchTime.now().uptimeNanoseconds - started
            let vectors = try embedder.embed(images: images)
            guard vectors.count == batch.count else { throw FolderIngestBenchmarkError("the tower lost images") }
        }
        try embed(files.prefix(batchSize))
        decoding = 0
        let start = DispatchTime.now().uptimeNanoseconds
        for first in stride(from: 0, to: files.count, by: batchSize) {
            try embed(files[first..<min(first + batchSize, files.count)])
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return (Double(files.count) / seconds, Double(decoding) / 1e9)
    }

    /// `folder` if it has what a daemon's CLIP space loads (preprocessor_config.json and tokenizer files); otherwise
    /// (the random full-size checkpoints `glimpse-bench clip` caches hold only config.json and model.safetensors) a
    /// folder of the same name under `work` with links to its files, the tokenizer of the tiny fixture of the same
    /// family and a preprocessor config cropping to the tower's input size. The text tower only embeds the
    /// sidecar captions and the label prompts here; the images' path is the checkpoint's own.
    static func loadableFolder(_ folder: URL, repository: URL, work: URL) throws -> (folder: URL, completed: Bool) {
        let manager = FileManager.default
        let has = { (name: String) in manager.fileExists(atPath: folder.appendingPathComponent(name).path) }
        if has("preprocessor_config.json") && (has("tokenizer.json") || has("vocab.json") || has("vocab.txt")) {
            return (folder, false)
        }
        let configuration = try CLIPModelConfiguration(contentsOf: folder.appendingPathComponent("config.json"))
        let fixture = repository.appendingPathComponent(
            configuration.family == .chineseCLIP
                ? "Tests/Fixtures/CLIP/chinese-clip-tiny" : "Tests/Fixtures/CLIP/clip-tiny")
        let completed = work.appendingPathComponent("clip").appendingPathComponent(folder.lastPathComponent)
        try manager.createDirectory(at: completed, withIntermediateDirectories: true)
        for name in try manager.contentsOfDirectory(atPath: folder.path) {
            try manager.createSymbolicLink(
                at: completed.appendingPathComponent(name), withDestinationURL: folder.appendingPathComponent(name))
        }
        for name in try manager.contentsOfDirectory(atPath: fixture.path)
        where !manager.fileExists(atPath: completed.appendingPathComponent(name).path)
            && !["config.json", "model.safetensors", "preprocessor_config.json"].contains(name)
        {
            try manager.copyItem(at: fixture.appendingPathComponent(name), to: completed.appendingPathComponent(name))
        }
        if !has("preprocessor_config.json") {
            let data = try Data(contentsOf: fixture.appendingPathComponent("preprocessor_config.json"))
            guard var preprocessor = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                throw FolderIngestBenchmarkError("unreadable \(fixture.path)/preprocessor_config.json")
            }
            let size = configuration.vision.imageSize
            preprocessor["crop_size"] = ["height": size, "width": size]
            preprocessor["size"] = ["shortest_edge": size]
            try JSONSerialization.data(withJSONObject: preprocessor, options: [.prettyPrinted, .sortedKeys])
                .write(to: completed.appendingPathComponent("preprocessor_config.json"))
        }
        return (completed, true)
    }
}

struct FolderIngestBenchmarkError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
