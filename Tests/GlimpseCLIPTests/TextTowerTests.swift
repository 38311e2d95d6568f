import Foundation
import GlimpseCLIP
import GlimpseTestSupport
import GlimpseTokenizers
import GlimpseTransformer
import Testing

@Suite struct TextTowerTests {
    @Test func textFeaturesMatchTransformersForAllReferenceTextsInBothFamilies() throws {
        for (checkpoint, reference, label) in try LoadedCheckpoints.both() {
            #expect(reference.tokenIDs.count >= 48)
            // One batch of texts of different lengths (1 to the model's maximum tokens).
            let features = try checkpoint.text.textFeatures(tokenIDs: reference.tokenIDs)
            #expect(features.count == reference.tokenIDs.count)
            var minimum: (cosine: Double, text: String) = (1, "")
            var largestDifference: Float = 0
            for (index, vector) in features.enumerated() {
                let similarity = cosine(vector, reference.textFeatures[index])
                let precise = preciseCosine(vector, reference.textFeatures[index])
                if precise < minimum.cosine { minimum = (precise, reference.texts[index]) }
                largestDifference = max(largestDifference, maxAbsDifference(vector, reference.textFeatures[index]))
                #expect(
                    similarity >= 0.9999, "\(label) \(reference.texts[index].debugDescription): cosine \(similarity)")
            }
            print(
                "\(label) text tower: \(features.count) texts, minimum cosine \(String(format: "%.9f", minimum.cosine)) (1 − cos = \(String(format: "%.1e", 1 - minimum.cosine))) "
                    + "(\(minimum.text.prefix(30).debugDescription)), max abs diff \(largestDifference)")
        }
    }

    @Test func batchedTextsGiveTheSameFeaturesAsOneAtATime() throws {
        for (checkpoint, reference, _) in try LoadedCheckpoints.both() {
            let ids = Array(reference.tokenIDs.prefix(6))
            let batched = try checkpoint.text.textFeatures(tokenIDs: ids)
            for (index, sequence) in ids.enumerated() {
                let single = try checkpoint.text.textFeatures(tokenIDs: [sequence])[0]
                #expect(maxAbsDifference(single, batched[index]) <= 1e-4)
            }
        }
    }

    @Test func clipPoolsAtTheFirstEndOfTextToken() throws {
        let tower = try #require(try LoadedCheckpoints.clip().text as? OpenAICLIPTextTower)
        #expect(tower.configuration.eosTokenID == 913)
        #expect(tower.poolingPosition([912, 5, 913, 913]) == 2)
        #expect(tower.poolingPosition([912, 5, 6]) == 0)  // no EOS: argmax of all zeros
    }

    @Test func legacyEndOfTextIDTwoPoolsAtTheLargestID() throws {
        let scratch = try ScratchDirectory("legacy-eos")
        defer { scratch.remove() }
        var config = try String(
            contentsOf: CLIPFixtures.clipFolder.appendingPathComponent("config.json"), encoding: .utf8)
        config = config.replacingOccurrences(of: "\"eos_token_id\": 913", with: "\"eos_token_id\": 2")
        try config.write(to: scratch.url.appendingPathComponent("config.json"), atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(
            at: scratch.url.appendingPathComponent("model.safetensors"),
            withDestinationURL: CLIPFixtures.clipFolder.appendingPathComponent("model.safetensors"))
        let tower = try #require(try CLIPCheckpoint(folder: scratch.url).text as? OpenAICLIPTextTower)
        #expect(tower.configuration.eosTokenID == 2)
        #expect(tower.poolingPosition([912, 5, 2, 913, 700, 913]) == 3)
    }

    @Test func invalidTokenSequencesAreRefused() throws {
        for (checkpoint, _, _) in try LoadedCheckpoints.both() {
            let c = checkpoint.text.configuration
            #expect(throws: CLIPModelError.invalidTokenID(id: c.vocabularySize, vocabularySize: c.vocabularySize)) {
                try checkpoint.text.textFeatures(tokenIDs: [[1, c.vocabularySize]])
            }
            #expect(throws: CLIPModelError.invalidTokenID(id: -1, vocabularySize: c.vocabularySize)) {
                try checkpoint.text.textFeatures(tokenIDs: [[-1]])
            }
            #expect(throws: CLIPModelError.sequenceTooLong(length: c.maxPositions + 1, maximum: c.maxPositions)) {
                try checkpoint.text.textFeatures(tokenIDs: [[Int](repeating: 1, count: c.maxPositions + 1)])
            }
            #expect(throws: CLIPModelError.emptySequence) { try checkpoint.text.textFeatures(tokenIDs: [[1], []]) }
            #expect(try checkpoint.text.textFeatures(tokenIDs: []).isEmpty)
        }
    }
}
