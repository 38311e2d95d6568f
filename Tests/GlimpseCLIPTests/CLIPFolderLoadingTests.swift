import Foundation
import GlimpseCLIP
import GlimpseEmbedding
import GlimpseImage
import GlimpseTestSupport
import GlimpseTokenizers
import GlimpseTransformer
import Testing

/// `CLIPEmbedder.load(folder:)` wires the folder's real tokenizer and preprocessor: raw texts and image files in,
/// transformers' features out.
@Suite struct CLIPFolderLoadingTests {
    @Test(arguments: ["clip", "chinese_clip"])
    func loadedFolderEmbedsRawTextsAndImageFilesLikeTransformers(family: String) throws {
        let reference = try CLIPFixtures.reference.get()
        let (folder, expected) =
            family == "clip"
            ? (CLIPFixtures.clipFolder, reference.clip) : (CLIPFixtures.chineseCLIPFolder, reference.chineseCLIP)
        let embedder = try CLIPEmbedder.load(folder: folder)
        #expect(embedder.spaceName == folder.lastPathComponent)

        let textVectors = try embedder.embed(expected.texts, role: .query)
        var worstText = 1.0
        for (vector, features) in zip(textVectors, expected.textFeatures) {
            worstText = min(worstText, preciseCosine(vector, features))
        }
        #expect(textVectors.count == expected.texts.count)
        #expect(worstText >= 0.9999, "\(family): worst text cosine \(worstText)")

        let names = expected.imageFeatures.keys.sorted()
        let decoder = ImageDecoder()
        let images = try names.map {
            try decoder.decode(contentsOf: CLIPFixtures.directory.appendingPathComponent("images/\($0)"))
        }
        let imageVectors = try embedder.embed(images: images)
        var worstImage = 1.0
        for (name, vector) in zip(names, imageVectors) {
            worstImage = min(worstImage, preciseCosine(vector, expected.imageFeatures[name]!))
        }
        #expect(imageVectors.count == names.count)
        #expect(worstImage >= 0.9999, "\(family): worst image cosine \(worstImage)")
    }

    @Test(arguments: ["clip", "chinese_clip"])
    func aQueryLongerThanTheTextTowerIsCutNotRefused(family: String) throws {
        let folder = family == "clip" ? CLIPFixtures.clipFolder : CLIPFixtures.chineseCLIPFolder
        let embedder = try CLIPEmbedder.load(folder: folder)
        let long = String(repeating: "a dog on the grass 一只小狗 ", count: 60)
        let vectors = try embedder.embed([long], role: .query)
        #expect(vectors.count == 1 && vectors[0].allSatisfy(\.isFinite))
    }

    @Test func missingFilesAreNamed() throws {
        let scratch = try ScratchDirectory("folder-loading")
        defer { scratch.remove() }
        let folder = scratch.url.appendingPathComponent("model")
        #expect(throws: CLIPModelError.folderNotFound(path: folder.path)) { try CLIPEmbedder.load(folder: folder) }
        try FileManager.default.copyItem(at: CLIPFixtures.clipFolder, to: folder)

        let weights = "weights (model.safetensors, model.safetensors.index.json or pytorch_model.bin)"
        for (file, named) in [("preprocessor_config.json", "preprocessor_config.json"), ("model.safetensors", weights)]
        {
            try FileManager.default.removeItem(at: folder.appendingPathComponent(file))
            #expect(throws: CLIPModelError.missingFile(folder: folder.path, file: named)) {
                try CLIPEmbedder.load(folder: folder)
            }
            try FileManager.default.copyItem(
                at: CLIPFixtures.clipFolder.appendingPathComponent(file), to: folder.appendingPathComponent(file))
        }
        for file in ["tokenizer.json", "vocab.json", "merges.txt", "tokenizer_config.json"] {
            try FileManager.default.removeItem(at: folder.appendingPathComponent(file))
        }
        #expect(throws: TokenizerLoadingError.self) { try CLIPEmbedder.load(folder: folder) }
    }
}
