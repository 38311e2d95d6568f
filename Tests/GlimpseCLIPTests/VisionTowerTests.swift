import Foundation
import GlimpseCLIP
import GlimpseTestSupport
import GlimpseTokenizers
import GlimpseTransformer
import Testing

@Suite struct VisionTowerTests {
    /// Every fixture image's preprocessed pixels, in the reference's order, as one batch of model inputs.
    private func fixtureBatch(for folder: URL, images: [String]) throws -> [Float] {
        let (mean, std) = try CLIPFixtures.normalisation(folder)
        return try images.flatMap { try CLIPFixtures.modelInput(CLIPFixtures.pixelBytes($0), mean: mean, std: std) }
    }

    @Test func imageFeaturesMatchTransformersForEveryFixtureImageInBothFamilies() throws {
        for (checkpoint, reference, label) in try LoadedCheckpoints.both() {
            let images = reference.imageFeatures.keys.sorted()
            #expect(images.count >= 13)
            let features = try checkpoint.vision.imageFeatures(
                pixelValues: fixtureBatch(for: checkpoint.folder, images: images), count: images.count)
            #expect(features.count == images.count)
            var minimum: Double = 1
            var largestDifference: Float = 0
            for (image, vector) in zip(images, features) {
                let expected = try #require(reference.imageFeatures[image])
                #expect(vector.count == expected.count)
                let similarity = cosine(vector, expected)
                minimum = min(minimum, preciseCosine(vector, expected))
                largestDifference = max(largestDifference, maxAbsDifference(vector, expected))
                #expect(similarity >= 0.9999, "\(label) \(image): cosine \(similarity)")
            }
            print(
                "\(label) vision tower: \(images.count) images, minimum cosine \(String(format: "%.9f", minimum)) (1 − cos = \(String(format: "%.1e", 1 - minimum))), max abs diff \(largestDifference)"
            )
        }
    }

    @Test func batchedImagesGiveTheSameFeaturesAsOneAtATime() throws {
        let checkpoint = try LoadedCheckpoints.clip()
        let images = try CLIPFixtures.reference.get().clip.imageFeatures.keys.sorted().prefix(4)
        let pixels = try fixtureBatch(for: checkpoint.folder, images: Array(images))
        let batched = try checkpoint.vision.imageFeatures(pixelValues: pixels, count: images.count)
        let perImage = checkpoint.vision.configuration.pixelCount
        for index in 0..<images.count {
            let single = try checkpoint.vision.imageFeatures(
                pixelValues: Array(pixels[(index * perImage)..<((index + 1) * perImage)]), count: 1)
            #expect(maxAbsDifference(single[0], batched[index]) <= 1e-4)
        }
    }

    @Test func differentImagesGiveDifferentFeatures() throws {
        // Guards the agreement test: the wide random weights must separate images.
        let reference = try CLIPFixtures.reference.get().clip.imageFeatures
        let vectors = reference.keys.sorted().map { reference[$0]! }
        let worst = vectors.indices.flatMap { i in
            vectors.indices.filter { $0 > i }.map { cosine(vectors[i], vectors[$0]) }
        }.max()!
        #expect(worst < 0.99)
    }

    @Test func pixelCountThatDoesNotMatchTheImageCountIsRefused() throws {
        let tower = try LoadedCheckpoints.clip().vision
        let perImage = tower.configuration.pixelCount
        #expect(throws: CLIPModelError.invalidPixelValues(expected: 2 * perImage, found: perImage, count: 2)) {
            try tower.imageFeatures(pixelValues: [Float](repeating: 0, count: perImage), count: 2)
        }
        #expect(try tower.imageFeatures(pixelValues: [], count: 0).isEmpty)
    }
}
