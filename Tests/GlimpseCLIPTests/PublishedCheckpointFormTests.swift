import Foundation
import GlimpseCLIP
import GlimpseImage
import GlimpseTestSupport
import GlimpseTransformer
import Testing

/// The same tiny Chinese-CLIP weights saved as model.safetensors, as two safetensors shards with an index, and as
/// PyTorch's pytorch_model.bin (scripts/make-checkpoint-fixtures.py) must give the same vectors.
@Suite struct PublishedCheckpointFormTests {
    static let binFolder = CLIPFixtures.directory.appendingPathComponent("chinese-clip-tiny-bin")
    static let shardedFolder = CLIPFixtures.directory.appendingPathComponent("chinese-clip-tiny-sharded")

    @Test func allThreeFormsGiveIdenticalTextAndImageVectors() throws {
        let texts = ["一只猫", "a red bus", "海边的日落"]
        let decoder = ImageDecoder()
        let images = try ["scene-320x240.jpg", "rgba-240.png"].map {
            try decoder.decode(contentsOf: CLIPFixtures.images.appendingPathComponent($0))
        }
        let folders = [CLIPFixtures.chineseCLIPFolder, Self.binFolder, Self.shardedFolder]
        let embedders = try folders.map { try CLIPEmbedder.load(folder: $0) }
        let textVectors = try embedders.map { try $0.embed(texts, role: .query) }
        let imageVectors = try embedders.map { try $0.embed(images: images) }
        #expect(textVectors[0].count == texts.count)
        #expect(imageVectors[0].count == images.count)
        for index in 1..<folders.count {
            #expect(textVectors[index] == textVectors[0], "text vectors of \(folders[index].lastPathComponent)")
            #expect(imageVectors[index] == imageVectors[0], "image vectors of \(folders[index].lastPathComponent)")
        }
        // The vectors are the reference model's, not merely equal to each other.
        let reference = try CLIPFixtures.reference.get().chineseCLIP
        let firstImage = try #require(reference.imageFeatures["scene-320x240.jpg"])
        let cosine =
            zip(firstImage, imageVectors[1][0]).reduce(Float(0)) { $0 + $1.0 * $1.1 }
            / firstImage.reduce(Float(0)) { $0 + $1 * $1 }.squareRoot()
        #expect(cosine > 0.9999)
    }

    @Test func safetensorsIsPreferredThenTheIndexThenTheBin() throws {
        let scratch = try ScratchDirectory("forms")
        defer { scratch.remove() }
        let fileManager = FileManager.default
        for name in [
            "config.json", "model.safetensors.index.json", "model-00001-of-00002.safetensors",
            "model-00002-of-00002.safetensors",
        ] {
            try fileManager.copyItem(
                at: Self.shardedFolder.appendingPathComponent(name), to: scratch.url.appendingPathComponent(name))
        }
        // A broken pytorch_model.bin beside an index is never opened: the index wins.
        try Data("not a zip".utf8).write(to: scratch.url.appendingPathComponent("pytorch_model.bin"))
        #expect(try CLIPCheckpoint(folder: scratch.url).family == .chineseCLIP)
        // A broken model.safetensors wins over both, and its error is the one reported.
        try Data([1, 2, 3]).write(to: scratch.url.appendingPathComponent("model.safetensors"))
        #expect(throws: SafetensorsError.self) { try CLIPCheckpoint(folder: scratch.url) }
        try fileManager.removeItem(at: scratch.url.appendingPathComponent("model.safetensors"))
        try fileManager.removeItem(at: scratch.url.appendingPathComponent("model.safetensors.index.json"))
        #expect(throws: PyTorchCheckpointError.self) { try CLIPCheckpoint(folder: scratch.url) }
    }

    @Test func weightFilesAreListedForFingerprinting() throws {
        #expect(try CLIPCheckpoint.weightFileURLs(in: Self.binFolder).map(\.lastPathComponent) == ["pytorch_model.bin"])
        #expect(
            try CLIPCheckpoint.weightFileURLs(in: Self.shardedFolder).map(\.lastPathComponent) == [
                "model.safetensors.index.json", "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors",
            ])
    }

    @Test func aShardMissingFromTheFolderIsNamed() throws {
        let scratch = try ScratchDirectory("shard")
        defer { scratch.remove() }
        for name in ["config.json", "model.safetensors.index.json", "model-00001-of-00002.safetensors"] {
            try FileManager.default.copyItem(
                at: Self.shardedFolder.appendingPathComponent(name), to: scratch.url.appendingPathComponent(name))
        }
        do {
            _ = try CLIPCheckpoint(folder: scratch.url)
            Issue.record("loaded with a shard missing")
        } catch let SafetensorsError.unreadable(path, _) {
            #expect(path.hasSuffix("model-00002-of-00002.safetensors"))
        }
    }
}
