import Foundation
import GlimpseCLIP
import GlimpseEmbedding
import GlimpseImage
import GlimpseTestSupport
import GlimpseTokenizers
import GlimpseTransformer
import Synchronization
import Testing

@Suite struct CLIPEmbedderTests {
    /// The fixture's 224×224 processor crop as an RGBImage, so the embedder's image path runs from an RGBImage.
    private func croppedImage(_ name: String) throws -> RGBImage {
        let chw = try CLIPFixtures.pixelBytes(name)
        let plane = 224 * 224
        var hwc = [UInt8](repeating: 0, count: chw.count)
        for i in 0..<plane { for c in 0..<3 { hwc[i * 3 + c] = chw[c * plane + i] } }
        return RGBImage(width: 224, height: 224, pixels: hwc)
    }

    /// TEST ONLY preprocessing for images that are already the processor's 224×224 crop: rescale and normalise.
    private func testOnlyNormaliseCrop(folder: URL) throws -> @Sendable (RGBImage) throws -> [Float] {
        let (mean, std) = try CLIPFixtures.normalisation(folder)
        return { image in
            let plane = image.width * image.height
            var chw = [UInt8](repeating: 0, count: image.pixels.count)
            for i in 0..<plane { for c in 0..<3 { chw[c * plane + i] = image.pixels[i * 3 + c] } }
            return CLIPFixtures.modelInput(chw, mean: mean, std: std)
        }
    }

    private func normalised(_ v: [Float]) -> [Float] {
        let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return v.map { $0 / norm }
    }

    @Test func embedsTextsAndImagesAsUnitVectorsMatchingTheReferenceInBothFamilies() throws {
        for (checkpoint, reference, label) in try LoadedCheckpoints.both() {
            let tokenizer = TestOnlyFixtureTokenizer(
                texts: reference.texts, tokenIDs: reference.tokenIDs,
                maximumLength: checkpoint.text.configuration.maxPositions)
            let embedder = CLIPEmbedder(
                checkpoint: checkpoint, tokenizer: tokenizer,
                preprocess: try testOnlyNormaliseCrop(folder: checkpoint.folder))
            #expect(embedder.dimension == 32)
            let texts = Array(reference.texts.prefix(10))
            for role in [EmbeddingRole.query, .passage] {
                let vectors = try embedder.embed(texts, role: role)
                for (index, vector) in vectors.enumerated() {
                    #expect(abs(vector.reduce(0) { $0 + $1 * $1 } - 1) < 1e-5)
                    let expected = normalised(reference.textFeatures[index])
                    #expect(zip(vector, expected).reduce(0) { $0 + $1.0 * $1.1 } >= 0.9999, "\(label) \(texts[index])")
                }
            }
            let names = reference.imageFeatures.keys.sorted()
            let images = try names.map(croppedImage)
            let vectors = try embedder.embed(images: images)
            #expect(vectors.count == names.count)
            for (name, vector) in zip(names, vectors) {
                #expect(abs(vector.reduce(0) { $0 + $1 * $1 } - 1) < 1e-5)
                #expect(cosine(vector, reference.imageFeatures[name]!) >= 0.9999, "\(label) \(name)")
            }
            #expect(try embedder.embed(images: []).isEmpty)
            #expect(try embedder.embed([], role: .query).isEmpty)
        }
    }

    @Test func concurrentCallersGetTheSameVectorsAsASerialCall() throws {
        let checkpoint = try LoadedCheckpoints.clip()
        let reference = try CLIPFixtures.reference.get().clip
        let embedder = CLIPEmbedder(
            checkpoint: checkpoint,
            tokenizer: TestOnlyFixtureTokenizer(
                texts: reference.texts, tokenIDs: reference.tokenIDs, maximumLength: 77),
            preprocess: try testOnlyNormaliseCrop(folder: checkpoint.folder))
        let texts = reference.texts
        let image = try croppedImage(reference.imageFeatures.keys.sorted()[0])
        let serialTexts = try embedder.embed(texts, role: .query)
        let serialImage = try embedder.embed(images: [image])
        let results = Mutex<[Bool]>([])
        DispatchQueue.concurrentPerform(iterations: 6) { index in
            let same: Bool
            if index.isMultiple(of: 2) {
                same = (try? embedder.embed(texts, role: .query)) == serialTexts
            } else {
                same = (try? embedder.embed(images: [image])) == serialImage
            }
            results.withLock { $0.append(same) }
        }
        #expect(results.withLock { $0 } == [Bool](repeating: true, count: 6))
    }

    @Test func spaceNameDefaultsToTheFolderNameAndCanBeSet() throws {
        let checkpoint = try LoadedCheckpoints.chineseCLIP()
        let tokenizer = TestOnlyFixtureTokenizer(texts: [], tokenIDs: [], maximumLength: 52)
        let preprocess: @Sendable (RGBImage) throws -> [Float] = { _ in [] }
        #expect(
            CLIPEmbedder(checkpoint: checkpoint, tokenizer: tokenizer, preprocess: preprocess).spaceName
                == "chinese-clip-tiny")
        #expect(
            CLIPEmbedder(checkpoint: checkpoint, tokenizer: tokenizer, preprocess: preprocess, spaceName: "cn-clip")
                .spaceName == "cn-clip")
        #expect(CLIPEmbedder.defaultSpaceName(folder: URL(fileURLWithPath: "/models/my clip:v2/")) == "my-clip-v2")
    }

    @Test func preprocessingErrorsAndWrongSizedPixelsSurface() throws {
        struct Unreadable: Error {}
        let checkpoint = try LoadedCheckpoints.clip()
        let tokenizer = TestOnlyFixtureTokenizer(texts: [], tokenIDs: [], maximumLength: 77)
        let image = RGBImage(width: 1, height: 1, pixels: [0, 0, 0])
        let failing = CLIPEmbedder(
            checkpoint: checkpoint, tokenizer: tokenizer, preprocess: { _ in throw Unreadable() })
        #expect(throws: Unreadable.self) { try failing.embed(images: [image]) }
        let short = CLIPEmbedder(checkpoint: checkpoint, tokenizer: tokenizer, preprocess: { _ in [0, 0, 0] })
        #expect(throws: CLIPModelError.self) { try short.embed(images: [image]) }
        #expect(throws: CLIPModelError.emptySequence) { try short.embed(["not a fixture text"], role: .query) }
    }
}

@Suite struct CLIPCheckpointTests {
    @Test func bothFixtureFoldersLoadWithTheirFamily() throws {
        #expect(try LoadedCheckpoints.clip().family == .clip)
        #expect(try LoadedCheckpoints.clip().text is OpenAICLIPTextTower)
        #expect(try LoadedCheckpoints.chineseCLIP().family == .chineseCLIP)
        #expect(try LoadedCheckpoints.chineseCLIP().text is ChineseCLIPTextTower)
    }

    @Test func folderWithoutConfigOrWeightsIsRefusedNamingTheFile() throws {
        let scratch = try ScratchDirectory("folder")
        defer { scratch.remove() }
        #expect(throws: CLIPModelError.missingFile(folder: scratch.url.path, file: "config.json")) {
            try CLIPCheckpoint(folder: scratch.url)
        }
        try FileManager.default.copyItem(
            at: CLIPFixtures.clipFolder.appendingPathComponent("config.json"),
            to: scratch.url.appendingPathComponent("config.json"))
        #expect(
            throws: CLIPModelError.missingFile(
                folder: scratch.url.path,
                file: "weights (model.safetensors, model.safetensors.index.json or pytorch_model.bin)")
        ) {
            try CLIPCheckpoint(folder: scratch.url)
        }
        let absent = scratch.url.appendingPathComponent("absent")
        #expect(throws: CLIPModelError.folderNotFound(path: absent.path)) { try CLIPCheckpoint(folder: absent) }
    }

    @Test func weightsThatDoNotMatchTheConfigAreRefusedNamingTheTensor() throws {
        let scratch = try ScratchDirectory("mismatch")
        defer { scratch.remove() }
        // The Chinese-CLIP weights under a CLIP config: the first tensor CLIP reads is absent.
        try FileManager.default.copyItem(
            at: CLIPFixtures.clipFolder.appendingPathComponent("config.json"),
            to: scratch.url.appendingPathComponent("config.json"))
        try FileManager.default.createSymbolicLink(
            at: scratch.url.appendingPathComponent("model.safetensors"),
            withDestinationURL: CLIPFixtures.chineseCLIPFolder.appendingPathComponent("model.safetensors"))
        do {
            _ = try CLIPCheckpoint(folder: scratch.url)
            Issue.record("loaded mismatched weights")
        } catch let error as SafetensorsError {
            switch error {
            case .missingTensor, .wrongShape: break
            default: Issue.record("unexpected \(error)")
            }
        }
    }
}
