import Foundation
import GlimpseServer
import GlimpseService
import GlimpseTestSupport
import Testing

@testable import GlimpseDaemon

@Suite struct SpaceSettingsTests {
    private func load(_ json: String) throws -> DaemonConfiguration {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("glimpsed-\(UUID().uuidString).json")
        try Data(json.utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        return try DaemonConfiguration.load(from: url.path)
    }

    private func message(_ json: String) -> String {
        do {
            _ = try load(json)
            return ""
        } catch {
            return "\(error)"
        }
    }

    @Test func withoutSpacesTheDaemonRunsTheSingleE5SpaceOfModelPath() throws {
        let configuration = try load(#"{"model_path": "/srv/m.bin"}"#)
        #expect(configuration.spaces == nil)
        #expect(configuration.effectiveSpaces == [SpaceSetting(kind: .e5)])
    }

    @Test func readsSpacesWithTheirWeightsAndTheImageLimits() throws {
        let configuration = try load(
            #"""
            {"spaces": [{"kind": "e5", "model": "/m/e5.bin", "weight": 2},
                        {"kind": "clip", "folder": "/m/clip", "name": "clip-b32", "weight": 1.0, "image_weight": 1.0, "caption_weight": 0.5}],
             "image_max_file_bytes": 1048576, "image_max_megapixels": 12.5}
            """#)
        let spaces = try #require(configuration.spaces)
        #expect(spaces.count == 2)
        #expect(spaces[0].kind == .e5 && spaces[0].model == "/m/e5.bin")
        #expect(spaces[0].weights == SpaceWeights(space: 2, caption: 1, image: 1))
        #expect(spaces[1].kind == .clip && spaces[1].folder == "/m/clip" && spaces[1].name == "clip-b32")
        #expect(spaces[1].weights == SpaceWeights(space: 1, caption: 0.5, image: 1))
        let limits = try configuration.serviceConfiguration().imageDecodingLimits
        #expect(limits.maxFileBytes == 1_048_576 && limits.maxMegapixels == 12.5)
    }

    @Test func refusesMisspeltOrInconsistentSpaces() {
        #expect(
            message(#"{"spaces": [{"kind": "e5", "wieght": 1}]}"#).contains("unknown setting \"wieght\" in spaces[0]"))
        #expect(
            message(#"{"spaces": [{"kind": "test-only-hashing"}]}"#).contains(
                "spaces[0]: kind must be one of e5, clip"), "only real models")
        #expect(message(#"{"spaces": []}"#).contains("at least one"))
        #expect(message(#"{"spaces": [{"kind": "clip"}]}"#).contains("folder"))
        #expect(message(#"{"spaces": [{"kind": "e5", "folder": "/x"}]}"#).contains("e5 takes model"))
        #expect(
            message(#"{"spaces": [{"kind": "clip", "folder": "/x", "model": "/y"}]}"#).contains("clip takes folder"))
        #expect(message(#"{"spaces": [{"kind": "e5", "weight": 0}]}"#).contains("weight"))
        #expect(message(#"{"spaces": [{"kind": "clip", "folder": "/x", "caption_weight": -1}]}"#).contains("weight"))
        #expect(message(#"{"spaces": [{"kind": "e5", "image_weight": 2}]}"#).contains("image_weight"))
        #expect(message(#"{"spaces": [{"kind": "clip", "folder": "/x", "name": "a/b"}]}"#).contains("name"))
        #expect(message(#"{"image_max_megapixels": 0}"#).contains("image_max_megapixels"))
    }

    @Test func loadingNamesTheFolderThatIsMissingAndRefusesTwoSpacesOfOneName() throws {
        var configuration = DaemonConfiguration()
        configuration.spaces = [SpaceSetting(kind: .clip, folder: "/nonexistent/clip-folder")]
        var fingerprints: [String: String] = [:]
        #expect(throws: ConfigurationError.self) { try configuration.loadSpaceModels(fingerprints: &fingerprints) }
        do {
            _ = try configuration.loadSpaceModels(fingerprints: &fingerprints)
        } catch {
            #expect("\(error)".contains("/nonexistent/clip-folder"))
        }
        let folder = CLIPFixtures.clipFolder.path
        configuration.spaces = [SpaceSetting(kind: .clip, folder: folder), SpaceSetting(kind: .clip, folder: folder)]
        do {
            _ = try configuration.loadSpaceModels(fingerprints: &fingerprints)
            Issue.record("two spaces named clip-tiny were accepted")
        } catch {
            #expect("\(error)".contains("both named clip-tiny"))
        }
        configuration.spaces = [SpaceSetting(kind: .clip, folder: folder, name: "one")]
        let models = try configuration.loadSpaceModels(fingerprints: &fingerprints)
        #expect(models.map(\.spaceName) == ["one"])
        #expect(models[0].image != nil)
        #expect(fingerprints["one"]?.contains(":") == true, "fingerprinted by model.safetensors")
    }
}
