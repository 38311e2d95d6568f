import Foundation
import GlimpseAPI
import GlimpseClient
import GlimpseTestSupport
import Testing

/// Two embedding spaces in the real daemon: the e5 text embedder and the tiny random CLIP fixture checkpoint
/// (Tests/Fixtures/CLIP/clip-tiny). The shared photos are ingested through the CLI, then searched by example image
/// through the CLI and over HTTP.
@Suite(.serialized) struct ImageSearchEndToEndTests {
    static let clipFolder = CLIPFixtures.clipFolder

    @Test func examplePhotosFindThemselvesFirstAndABrokenImageFailsOnlyItsItem() async throws {
        try TestEnvironment.requirePrerequisites()
        try await withScratchDirectory("e2e-image") { directory in
            let labelsOut = directory.appendingPathComponent("labels.tsv")
            let manifest = try SharedPhotoManifest.write(in: directory, ["--labels-out", labelsOut.path])
            let photos = try CrossLingualSearchTests.readLabels(labelsOut)
            try #require(photos.count > 20)

            // Two broken images in the batch: half a JPEG, and zero bytes.
            let firstPhoto = TestEnvironment.sharedPhotos.appendingPathComponent(photos[0].id)
            let whole = try Data(contentsOf: firstPhoto)
            let truncated = directory.appendingPathComponent("truncated.jpg")
            try whole.prefix(whole.count / 2).write(to: truncated)
            let empty = directory.appendingPathComponent("empty.jpg")
            try Data().write(to: empty)
            var lines = try String(contentsOf: manifest, encoding: .utf8)
            if !lines.hasSuffix("\n") { lines += "\n" }
            lines +=
                #"{"id": "broken/truncated", "image_path": "\#(truncated.path)", "captions": {"en": "half a photo"}}"#
                + "\n"
            lines +=
                #"{"id": "broken/empty", "image_path": "\#(empty.path)", "captions": {"en": "no photo at all"}}"# + "\n"
            try Data(lines.utf8).write(to: manifest)

            let config = directory.appendingPathComponent("glimpsed.json")
            try Data(
                #"""
                {"spaces": [{"kind": "e5", "weight": 1.0},
                            {"kind": "clip", "folder": "\#(Self.clipFolder.path)", "weight": 1.0, "image_weight": 1.0, "caption_weight": 0.5}]}
                """#.utf8
            ).write(to: config)
            try await withDaemon(in: directory, extraArguments: ["--config", config.path]) { daemon in
                let glimpse = TestEnvironment.binaries.appendingPathComponent("glimpse")
                let ingest = try runCommand(glimpse, daemon.socketArguments + ["ingest", manifest.path])
                #expect(ingest.status == 1, "some items failed, so exit 1:\n\(ingest.output)\n\(daemon.log)")
                #expect(
                    ingest.output.contains("broken/truncated") && ingest.output.contains("image_truncated"),
                    "\(ingest.output)")
                #expect(
                    ingest.output.contains("broken/empty") && ingest.output.contains("image_empty"), "\(ingest.output)")

                let client = daemon.client
                let status = try await client.status()
                #expect(status.catalog.items == photos.count, "every photo stored, the two broken items not")
                let clipIndex = try #require(status.indexes.first { $0.space == "clip-tiny" })
                let e5Index = try #require(status.indexes.first { $0.space == "multilingual-e5-small" })
                #expect(clipIndex.vectors == 2 * photos.count, "one caption and one image vector per photo")
                #expect(e5Index.vectors == photos.count)

                // Several photos, spread over the set: each finds itself first, through the CLI and over HTTP.
                let probes = stride(from: 0, to: photos.count, by: max(1, photos.count / 8)).map { photos[$0] }
                for photo in probes {
                    let path = TestEnvironment.sharedPhotos.appendingPathComponent(photo.id).path
                    let cli = try runCommand(
                        glimpse, daemon.socketArguments + ["search", "--image", path, "-k", "3", "--json"])
                    #expect(cli.status == 0, "\(cli.output)")
                    let response = try JSONDecoder().decode(SearchResponse.self, from: Data(cli.output.utf8))
                    #expect(response.results.first?.id == photo.id, "\(photo.id): \(response.results.map(\.id))")
                    #expect(response.results.first?.matched.source == "image")
                    #expect(abs((response.results.first?.score ?? 0) - 1) < 1e-3)
                    #expect(response.image?.spaces == ["clip-tiny"])

                    let http = try await client.searchImage(try Data(contentsOf: URL(fileURLWithPath: path)), k: 3)
                    #expect(http.results.first?.id == photo.id)
                }

                // Text queries are searched in both spaces and fused; the e5 space still finds the photos by caption.
                let dog = try await client.search("dog", k: 5)
                #expect(dog.results.contains { $0.id.hasPrefix("dog/") }, "\(dog.results.map(\.id))")
                #expect(
                    dog.results.allSatisfy {
                        $0.scores?.keys.contains("multilingual-e5-small") == true
                            || $0.scores?.keys.contains("clip-tiny") == true
                    })

                // Bad example images are 400s naming the decoding problem, and the daemon keeps serving.
                let bad = try await client.raw(
                    method: "POST", path: "/v1/search/image", body: whole.prefix(100), contentType: "image/jpeg")
                #expect(bad.status == 400)
                let badBody = String(decoding: bad.body, as: UTF8.self)
                #expect(badBody.contains("image_truncated") || badBody.contains("image_corrupt"), "\(badBody)")
                let badCLI = try runCommand(glimpse, daemon.socketArguments + ["search", "--image", empty.path])
                #expect(badCLI.status == 2, "\(badCLI.output)")
                #expect(badCLI.output.contains("image_empty"), "\(badCLI.output)")
                #expect((try? await client.health()) != nil)

                // Re-ingesting the same manifest re-embeds nothing.
                let vectorsBefore = try await client.status().catalog.vectors
                let again = try runCommand(glimpse, daemon.socketArguments + ["ingest", manifest.path])
                #expect(again.status == 1, "the two broken items fail again: \(again.output)")
                #expect(try await client.status().catalog.vectors == vectorsBefore)

                #expect(await daemon.terminate() == 0, "SIGTERM is a clean shutdown:\n\(daemon.log)")
            }
        }
    }
}
