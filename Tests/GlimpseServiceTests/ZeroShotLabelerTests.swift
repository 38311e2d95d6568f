import Foundation
import GlimpseAPI
import GlimpseCLIP
import GlimpseEmbedding
import GlimpseImage
import GlimpseTestSupport
import Logging
import Testing

@testable import GlimpseService

/// Zero-shot recognition against transformers on the tiny fixture checkpoints (Tests/Fixtures/CLIP/recognize.json,
/// written by `scripts/make-clip-fixtures.py --recognize`): the same prompts, ensembling, logit scale and softmax
/// must give the same probabilities.
@Suite struct ZeroShotLabelerTests {
    struct Reference: Decodable {
        struct Label: Decodable {
            let english: String
            let chinese: String
        }
        struct Result: Decodable {
            let language: String
            let logitScale: Float
            let labelVectors: [[Float]]
            let probabilities: [String: [Float]]

            enum CodingKeys: String, CodingKey {
                case language, probabilities
                case logitScale = "logit_scale"
                case labelVectors = "label_vectors"
            }
        }
        let templates: [String: [String]]
        let labels: [Label]
        let images: [String]
        let clip: [String: Result]
        let chineseCLIP: [String: Result]

        enum CodingKeys: String, CodingKey {
            case templates, labels, images, clip
            case chineseCLIP = "chinese_clip"
        }

        var vocabulary: LabelVocabulary {
            LabelVocabulary(labels: labels.map { LabelVocabulary.Label(english: $0.english, chinese: $0.chinese) })
        }
    }

    static let reference = Swift.Result {
        try JSONDecoder().decode(
            Reference.self, from: Data(contentsOf: CLIPFixtures.directory.appendingPathComponent("recognize.json")))
    }

    private func imageVector(_ name: String, embedder: CLIPEmbedder) throws -> [Float] {
        let decoded = try ImageDecoder(limits: .default).decode(try CLIPFixtures.image(name))
        return try embedder.embed(images: [decoded])[0]
    }

    @Test func promptTemplatesAreTheOnesTheReferenceUsed() throws {
        let reference = try Self.reference.get()
        #expect(LabelLanguage.english.templates == reference.templates["en"])
        #expect(LabelLanguage.chinese.templates == reference.templates["zh"])
        #expect(LabelLanguage.chinese.prompts(for: "狗").first == "一张狗的照片。")
        #expect(LabelLanguage.english.prompts(for: "dog").first == "a photo of a dog.")
    }

    @Test func probabilitiesEqualTransformersZeroShotClassificationInBothFamiliesAndLanguages() async throws {
        let reference = try Self.reference.get()
        let families = [
            (CLIPFixtures.clipFolder, reference.clip), (CLIPFixtures.chineseCLIPFolder, reference.chineseCLIP),
        ]
        var compared = 0
        for (folder, results) in families {
            let embedder = try CLIPEmbedder.load(folder: folder)
            for (languageCode, expected) in results.sorted(by: { $0.key < $1.key }) {
                let language = try #require(LabelLanguage(rawValue: languageCode))
                #expect(abs(embedder.logitScale - expected.logitScale) < 1e-6)
                let labeler = ZeroShotLabeler(
                    textEmbedder: embedder, logitScale: embedder.logitScale, language: language,
                    vocabulary: reference.vocabulary, cacheDirectory: nil, modelFingerprint: "test")
                let vectors = try ZeroShotLabeler.labelVectors(
                    embedder: embedder, vocabulary: reference.vocabulary, language: language)
                for (vector, want) in zip(vectors, expected.labelVectors) {
                    #expect(cosine(vector, want) > 0.99999, "\(folder.lastPathComponent) \(languageCode) label vector")
                }
                for image in reference.images {
                    let probabilities = try await labeler.probabilities(
                        forImageVector: try imageVector(image, embedder: embedder))
                    let want = try #require(expected.probabilities[image])
                    #expect(probabilities.count == want.count)
                    let worst = zip(probabilities, want).map { abs($0 - $1) }.max() ?? 1
                    #expect(worst < 1e-4, "\(folder.lastPathComponent) \(languageCode) \(image): off by \(worst)")
                    compared += 1
                }
            }
        }
        #expect(compared == 4 * reference.images.count)
    }

    @Test func labelsAreTheMostProbableFirstWithBothNames() async throws {
        let reference = try Self.reference.get()
        let embedder = try CLIPEmbedder.load(folder: CLIPFixtures.chineseCLIPFolder)
        let labeler = ZeroShotLabeler(
            textEmbedder: embedder, logitScale: embedder.logitScale, language: .chinese,
            vocabulary: reference.vocabulary, cacheDirectory: nil, modelFingerprint: "test")
        let vector = try imageVector(reference.images[0], embedder: embedder)
        let probabilities = try await labeler.probabilities(forImageVector: vector)
        #expect(abs(probabilities.reduce(0, +) - 1) < 1e-5)
        let top = try await labeler.labels(forImageVector: vector, count: 3)
        let order = probabilities.indices.sorted { probabilities[$0] > probabilities[$1] }
        #expect(top.map(\.english) == order.prefix(3).map { reference.labels[$0].english })
        #expect(top.map(\.chinese) == order.prefix(3).map { reference.labels[$0].chinese })
        #expect(top.map(\.probability) == order.prefix(3).map { probabilities[$0] })
        #expect(try await labeler.labels(forImageVector: vector, count: 100).count == reference.labels.count)
        await #expect(throws: ServiceError.self) {
            _ = try await labeler.labels(forImageVector: [1, 0, 0], count: 3)
        }
    }

    @Test func labelVectorsAreCachedPerModelFingerprintAndVocabulary() async throws {
        let reference = try Self.reference.get()
        let directory = try ScratchDirectory("labels").url
        defer { try? FileManager.default.removeItem(at: directory) }
        let clip = try CLIPEmbedder.load(folder: CLIPFixtures.clipFolder)
        let image = try imageVector(reference.images[1], embedder: clip)
        func labeler(_ counting: TestOnlyCountingEmbedder, fingerprint: String, vocabulary: LabelVocabulary)
            -> ZeroShotLabeler
        {
            ZeroShotLabeler(
                textEmbedder: counting, logitScale: clip.logitScale, language: .english, vocabulary: vocabulary,
                cacheDirectory: directory, modelFingerprint: fingerprint)
        }
        let first = TestOnlyCountingEmbedder(clip)
        let computed = try await labeler(first, fingerprint: "A", vocabulary: reference.vocabulary)
            .probabilities(forImageVector: image)
        #expect(first.calls.flatMap(\.texts).count == reference.labels.count * LabelLanguage.english.templates.count)
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        #expect(files.count == 1 && files[0].hasPrefix("recognize-clip-tiny-") && files[0].hasSuffix(".f32"))

        let second = TestOnlyCountingEmbedder(clip)
        let cached = try await labeler(second, fingerprint: "A", vocabulary: reference.vocabulary)
            .probabilities(forImageVector: image)
        #expect(second.calls.isEmpty)
        #expect(cached == computed)

        let otherModel = TestOnlyCountingEmbedder(clip)
        _ = try await labeler(otherModel, fingerprint: "B", vocabulary: reference.vocabulary)
            .probabilities(forImageVector: image)
        #expect(!otherModel.calls.isEmpty)
        let smaller = LabelVocabulary(labels: Array(reference.vocabulary.labels.prefix(5)))
        let otherVocabulary = TestOnlyCountingEmbedder(clip)
        let five = try await labeler(otherVocabulary, fingerprint: "A", vocabulary: smaller)
            .probabilities(forImageVector: image)
        #expect(five.count == 5 && !otherVocabulary.calls.isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).count == 3)

        // A damaged cache file is ignored and rewritten, never trusted.
        let url = directory.appendingPathComponent(files[0])
        try Data("GLV1 broken".utf8).write(to: url)
        let afterDamage = TestOnlyCountingEmbedder(clip)
        let recomputed = try await labeler(afterDamage, fingerprint: "A", vocabulary: reference.vocabulary)
            .probabilities(forImageVector: image)
        #expect(!afterDamage.calls.isEmpty)
        #expect(recomputed == computed)
        #expect(try Data(contentsOf: url).count == 12 + reference.labels.count * clip.dimension * 4)
    }

    @Test func builtInVocabularyHasOverAThousandDistinctLabelsNamedInBothLanguages() {
        let labels = LabelVocabulary.builtIn.labels
        #expect(labels.count >= 1_000)
        #expect(Set(labels.map { $0.english.lowercased() }).count == labels.count)
        #expect(Set(labels.map(\.chinese)).count == labels.count)
        let han = { (text: String) in text.unicodeScalars.contains { (0x4E00...0x9FFF).contains($0.value) } }
        #expect(labels.allSatisfy { han($0.chinese) || $0.chinese == $0.english })
        #expect(labels.allSatisfy { !$0.english.isEmpty && !$0.chinese.contains("；") && !$0.chinese.contains("（") })
        #expect(labels.contains(LabelVocabulary.Label(english: "giant panda", chinese: "大熊猫")))
        #expect(labels.contains(LabelVocabulary.Label(english: "dumplings", chinese: "饺子")))
        #expect(LabelVocabulary.builtIn.checksum.count == 64)
    }

    @Test func vocabularyFileErrorsNameTheLine() {
        #expect(throws: ServiceError.self) { try LabelVocabulary(tsv: "# only a comment\n") }
        #expect(throws: ServiceError.self) { try LabelVocabulary(tsv: "dog\t狗\ncat\n") }
        #expect((try? LabelVocabulary(tsv: "# header\ndog\t狗\timagenet\n\ncat\t猫\n"))?.labels.count == 2)
    }

    @Test func recognizeAnswersInTheRequestedLanguagesAndRefusesWithoutAnImageSpace() async throws {
        let fixture = try ServiceFixture()
        defer { fixture.remove() }
        let reference = try Self.reference.get()
        let textOnly = try fixture.makeService()
        let image = try CLIPFixtures.image(reference.images[0])
        await #expect {
            _ = try await textOnly.recognize(image, language: .both, k: nil)
        } throws: { ($0 as? ServiceError)?.errorCode == .noImageSpace }

        var configuration = ServiceConfiguration(dataDirectory: fixture.directory.appendingPathComponent("clip"))
        configuration.snapshotInterval = .seconds(3_600)
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        let clip = try CLIPEmbedder.load(folder: CLIPFixtures.chineseCLIPFolder)
        let labeler = ZeroShotLabeler(
            textEmbedder: clip, logitScale: clip.logitScale, language: .chinese, vocabulary: reference.vocabulary,
            cacheDirectory: nil, modelFingerprint: "test")
        let service = try GlimpseService(
            configuration: configuration, spaces: [SpaceModel(textAndImage: clip)], modelPath: "(test)",
            logger: logger, labeler: labeler)
        let expected = try await labeler.labels(
            forImageVector: try imageVector(reference.images[0], embedder: clip), count: 3)
        let both = try await service.recognize(image, language: .both, k: 3)
        #expect(both.space == clip.spaceName)
        #expect(both.labels.map(\.labelEnglish) == expected.map(\.english))
        #expect(both.labels.map(\.labelChinese) == expected.map(\.chinese))
        #expect(both.labels.map(\.probability) == expected.map(\.probability))
        let chinese = try await service.recognize(image, language: .chinese, k: 3)
        #expect(chinese.labels.allSatisfy { $0.labelEnglish == nil && $0.labelChinese != nil })
        let english = try await service.recognize(image, language: .english, k: nil)
        #expect(english.labels.count == RecognizeLimits.defaultK)
        #expect(english.labels.allSatisfy { $0.labelChinese == nil && $0.labelEnglish != nil })
        for k in [0, RecognizeLimits.maxK + 1] {
            await #expect {
                _ = try await service.recognize(image, language: .both, k: k)
            } throws: { ($0 as? ServiceError)?.errorCode == .invalidK }
        }
        await #expect {
            _ = try await service.recognize(Data("not an image".utf8), language: .both, k: 1)
        } throws: { ($0 as? ServiceError)?.errorCode == .imageUnsupportedFormat }
    }
}
