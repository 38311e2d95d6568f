import Foundation
import GlimpseAPI
import GlimpseClient
import GlimpseTestSupport
import Testing

/// `/v1/recognize` and `glimpse recognize` through the real daemon, configured with the e5 space and the tiny
/// Chinese-CLIP fixture (Tests/Fixtures/CLIP/chinese-clip-tiny): the built-in vocabulary with Chinese prompts.
@Suite(.serialized) struct RecognizeEndToEndTests {
    @Test func recognizeAnswersInZhEnAndBothOverHTTPAndTheCLI() async throws {
        try TestEnvironment.requirePrerequisites()
        try await withScratchDirectory("e2e-recognize") { directory in
            let config = directory.appendingPathComponent("glimpsed.json")
            try Data(
                #"""
                {"spaces": [{"kind": "e5"}, {"kind": "clip", "folder": "\#(CLIPFixtures.chineseCLIPFolder.path)"}]}
                """#.utf8
            ).write(to: config)
            let photo = try #require(
                FileManager.default.enumerator(at: TestEnvironment.sharedPhotos, includingPropertiesForKeys: nil)?
                    .compactMap { $0 as? URL }.filter { $0.pathExtension.lowercased() == "jpg" }
                    .sorted { $0.path < $1.path }.first)
            let bytes = try Data(contentsOf: photo)
            try await withDaemon(in: directory, extraArguments: ["--config", config.path]) { daemon in
                let client = daemon.client
                let both = try await client.recognize(bytes, language: .both, k: 3)
                #expect(both.space == "chinese-clip-tiny")
                #expect(both.labels.count == 3)
                #expect(both.labels.allSatisfy { $0.labelEnglish != nil && $0.labelChinese != nil })
                #expect(both.labels.map(\.probability) == both.labels.map(\.probability).sorted(by: >))
                let chinese = try await client.recognize(bytes, language: .chinese, k: 3)
                #expect(chinese.labels.map(\.labelChinese) == both.labels.map(\.labelChinese))
                #expect(chinese.labels.allSatisfy { $0.labelEnglish == nil })
                let english = try await client.recognize(bytes, language: .english, k: 3)
                #expect(english.labels.map(\.labelEnglish) == both.labels.map(\.labelEnglish))
                #expect(english.labels.allSatisfy { $0.labelChinese == nil })
                // The label vectors were computed once and cached in the data directory under the model's key.
                let cached = try FileManager.default.contentsOfDirectory(
                    atPath: directory.appendingPathComponent("data").path
                ).filter { $0.hasPrefix("recognize-chinese-clip-tiny-") }
                #expect(cached.count == 1, "\(cached)")

                let glimpse = TestEnvironment.binaries.appendingPathComponent("glimpse")
                let json = try runCommand(
                    glimpse, daemon.socketArguments + ["recognize", photo.path, "--lang", "zh", "-k", "3", "--json"])
                #expect(json.status == 0, "\(json.output)\n\(daemon.log)")
                let fromCLI = try JSONDecoder().decode(RecognizeResponse.self, from: Data(json.output.utf8))
                #expect(fromCLI.labels.map(\.labelChinese) == both.labels.map(\.labelChinese))
                let table = try runCommand(glimpse, daemon.socketArguments + ["recognize", photo.path, "-k", "2"])
                #expect(table.status == 0, "\(table.output)")
                let lines = table.output.split(separator: "\n")
                #expect(lines.first?.contains("标签") == true && lines.first?.contains("label") == true)
                #expect(lines.count == 3 && lines[1].contains(both.labels[0].labelChinese!), "\(table.output)")

                let badK = try runCommand(glimpse, daemon.socketArguments + ["recognize", photo.path, "-k", "0"])
                #expect(badK.status == 2 && badK.output.contains("-k"), "\(badK.output)")
                let badLang = try runCommand(
                    glimpse, daemon.socketArguments + ["recognize", photo.path, "--lang", "fr"])
                #expect(badLang.status == 2, "\(badLang.output)")
                let missing = try runCommand(
                    glimpse, daemon.socketArguments + ["recognize", directory.appendingPathComponent("none.jpg").path])
                #expect(missing.status == 2 && missing.output.contains("no such file"), "\(missing.output)")
                let notImage = directory.appendingPathComponent("notes.txt")
                try Data("not a picture".utf8).write(to: notImage)
                let refused = try runCommand(glimpse, daemon.socketArguments + ["recognize", notImage.path])
                #expect(refused.status == 2 && refused.output.contains("image_unsupported_format"), "\(refused.output)")
            }
        }
    }
}
