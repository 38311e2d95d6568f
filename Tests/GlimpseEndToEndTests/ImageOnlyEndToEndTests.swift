import Foundation
import GlimpseAPI
import GlimpseClient
import GlimpseTestSupport
import Testing

/// Items without captions and the image check, through the real daemon in its default text-only (E5) setup.
@Suite(.serialized) struct ImageOnlyEndToEndTests {
    @Test func aTruncatedJPEGFailsItsOwnItemAndAnImageOnlyItemIsRefusedInATextOnlyDaemon() async throws {
        try TestEnvironment.requirePrerequisites()
        try await withScratchDirectory("e2e-image-only") { directory in
            let shared = Array(try SharedPhotoManifest.items(in: directory).prefix(3))
            try #require(shared.count == 3, "the shared photos")
            // A copy of a shared photo cut in half: its header is whole, its pixels are not.
            let bytes = try Data(contentsOf: URL(fileURLWithPath: shared[0].imagePath))
            let truncated = directory.appendingPathComponent("truncated.jpg")
            try bytes.prefix(bytes.count / 2).write(to: truncated)
            let broken = IngestItem(id: "truncated", imagePath: truncated.path, captions: ["en": "a cut photo"])
            try await withDaemon(in: directory) { daemon in
                let accepted = try await daemon.adminClient.ingest([shared[0], broken, shared[1], shared[2]])
                let job = try await SharedPhotoManifest.waitForJob(accepted.jobID, daemon: daemon)
                #expect(job.state == .done)
                #expect(job.inserted == 3, "\(job.errors)")
                #expect(job.failed == 1)
                #expect(job.errors.map(\.id) == ["truncated"])
                #expect(job.errors.first?.index == 1)
                #expect(
                    job.errors.first?.message.hasPrefix("image_truncated:") == true, "\(job.errors)")
                #expect(job.errors.first?.message.contains(truncated.path) == true)
                do {
                    _ = try await daemon.client.item(id: "truncated")
                    Issue.record("the truncated photo's item was stored")
                } catch let error as GlimpseClientError {
                    #expect(error.status == 404)
                }
                #expect(try await daemon.client.item(id: shared[1].effectiveID).captions == shared[1].captions)

                // No image space: an item without captions could never be found, so the request is refused.
                do {
                    _ = try await daemon.adminClient.ingest([
                        IngestItem(id: "photo", imagePath: shared[0].imagePath, captions: [:])
                    ])
                    Issue.record("an image-only item was accepted by a text-only daemon")
                } catch let error as GlimpseClientError {
                    #expect(error.status == 400)
                    #expect(error.code == "no_image_space", "\(error)")
                    #expect(error.message.contains("`spaces`"), "\(error)")
                }
            }
        }
    }
}
