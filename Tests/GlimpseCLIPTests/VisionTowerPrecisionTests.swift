import Foundation
import GlimpseCLIP
import GlimpseImage
import GlimpseTestSupport
import GlimpseTransformer
import Testing

/// The vision tower's int8 mode (int8 linear layers in the encoder) against its fp32 mode, and the pooled tower's
/// independence from its thread count.
@Suite struct VisionTowerPrecisionTests {
    private func fixtureBatch(for folder: URL, images: [String]) throws -> [Float] {
        let (mean, std) = try CLIPFixtures.normalisation(folder)
        return try images.flatMap { try CLIPFixtures.modelInput(CLIPFixtures.pixelBytes($0), mean: mean, std: std) }
    }

    /// Up to `count` shared photos, decoded and preprocessed with the checkpoint folder's own processor.
    private func sharedPhotoBatch(for folder: URL, count: Int) throws -> (pixels: [Float], count: Int) {
        // One folder per label, each holding its photo(s).
        let names = (FileManager.default.enumerator(atPath: TestFixtures.sharedPhotos.path)?.allObjects ?? [])
            .compactMap { $0 as? String }.filter { $0.lowercased().hasSuffix(".jpg") }.sorted().prefix(count)
        let preprocessor = try CLIPImagePreprocessor(
            configFile: folder.appendingPathComponent("preprocessor_config.json"))
        let decoder = ImageDecoder()
        let pixels = try names.flatMap {
            preprocessor.pixelValues(
                try decoder.decode(contentsOf: TestFixtures.sharedPhotos.appendingPathComponent($0)))
        }
        return (pixels, names.count)
    }

    private func cosines(_ a: [[Float]], _ b: [[Float]]) -> [Double] {
        zip(a, b).map { preciseCosine($0, $1) }.sorted()
    }

    @Test func int8FeaturesStayCloseToFP32OnFixtureImagesAndSharedPhotosInBothFamilies() throws {
        for folder in [CLIPFixtures.clipFolder, CLIPFixtures.chineseCLIPFolder] {
            let fp32 = try CLIPCheckpoint(folder: folder).vision
            let int8 = try CLIPCheckpoint(folder: folder, visionPrecision: .int8).vision
            #expect(fp32.precision == .fp32 && int8.precision == .int8)
            let images = try CLIPFixtures.reference.get().clip.imageFeatures.keys.sorted()
            let fixture = try fixtureBatch(for: folder, images: images)
            let photos = try sharedPhotoBatch(for: folder, count: 12)
            try #require(photos.count == 12, "the shared photos are missing (\(TestFixtures.sharedPhotos.path))")
            for (pixels, count, label) in [
                (fixture, images.count, "fixture images"), (photos.pixels, photos.count, "shared photos"),
            ] {
                let exact = try fp32.imageFeatures(pixelValues: pixels, count: count)
                let quantised = try int8.imageFeatures(pixelValues: pixels, count: count)
                let similarity = cosines(exact, quantised)
                print(
                    "\(folder.lastPathComponent) int8 vs fp32, \(count) \(label): min cosine \(String(format: "%.5f", similarity.first!)), median \(String(format: "%.5f", similarity[similarity.count / 2]))"
                )
                #expect(similarity.first! >= 0.995, "\(folder.lastPathComponent) \(label)")
                // Not the fp32 features by accident: quantisation must change them a little.
                #expect(zip(exact, quantised).contains { maxAbsDifference($0, $1) > 0 })
            }
        }
    }

    @Test(arguments: [LinearPrecision.fp32, .int8])
    func featuresDoNotDependOnTheThreadCount(precision: LinearPrecision) throws {
        // 16 images (50 tokens each): large enough that every step is split across the pool.
        let images = Array(try CLIPFixtures.reference.get().clip.imageFeatures.keys.sorted().prefix(8))
        let pixels = try fixtureBatch(for: CLIPFixtures.clipFolder, images: images)
        let batch = pixels + pixels.reversed()
        let one = try CLIPCheckpoint(folder: CLIPFixtures.clipFolder, visionPrecision: precision, visionThreads: 1)
        let three = try CLIPCheckpoint(folder: CLIPFixtures.clipFolder, visionPrecision: precision, visionThreads: 3)
        #expect(one.vision.threadCount == 1 && three.vision.threadCount == 3)
        let a = try one.vision.imageFeatures(pixelValues: batch, count: 16)
        let b = try three.vision.imageFeatures(pixelValues: batch, count: 16)
        for (x, y) in zip(a, b) { #expect(maxAbsDifference(x, y) <= 1e-5) }
    }
}
