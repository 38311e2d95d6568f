import Foundation
import GlimpseAPI
import GlimpseClient
import GlimpseTestSupport
import Testing

@testable import GlimpseDaemon
@testable import GlimpseServer

/// `POST /v1/search/image` served for real, with the tiny CLIP fixture configured as glimpsed configures it.
@Suite struct ImageSearchRouteTests {
    static let fixtures = CLIPFixtures.directory

    @Test func theQuerySocketSearchesByRawOrMultipartImageAndRefusesBadInput() async throws {
        try await withServer(adjust: { configuration in
            var clip = SpaceSetting(kind: .clip, folder: Self.fixtures.appendingPathComponent("clip-tiny").path)
            clip.captionWeight = 0.5
            configuration.spaces = [clip]
            configuration.maxBodyBytes = 256 << 10
        }) { fixture in
            let names = ["scene-320x240.jpg", "portrait-180x400.png", "lossless-160x120.webp"]
            var items: [IngestItem] = []
            for name in names {
                let path = fixture.directory.appendingPathComponent(name).path
                try FileManager.default.copyItem(
                    atPath: Self.fixtures.appendingPathComponent("images/\(name)").path, toPath: path)
                items.append(IngestItem(id: name, imagePath: path, captions: ["en": "picture \(name)"]))
            }
            let accepted = try await fixture.adminClient.ingest(items)
            var job = try await fixture.queryClient.job(id: accepted.jobID)
            while !job.state.isFinished {
                try await Task.sleep(for: .milliseconds(20))
                job = try await fixture.queryClient.job(id: accepted.jobID)
            }
            #expect(job.inserted == names.count)

            let query = fixture.queryClient
            for name in names {
                let bytes = try Data(contentsOf: Self.fixtures.appendingPathComponent("images/\(name)"))
                let raw = try await query.searchImage(bytes, k: 2)
                #expect(raw.results.first?.id == name)
                #expect(raw.results.first?.scores?["clip-tiny"] != nil)
                #expect(raw.image?.width ?? 0 > 0)

                let boundary = "glimpse-\(UUID().uuidString)"
                var body = Data(
                    "--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(name)\"\r\nContent-Type: application/octet-stream\r\n\r\n"
                        .utf8)
                body += bytes + Data("\r\n--\(boundary)--\r\n".utf8)
                let answer = try await query.raw(
                    method: "POST", path: "/v1/search/image?k=1", body: body,
                    contentType: "multipart/form-data; boundary=\(boundary)")
                #expect(answer.status == 200)
                #expect(try JSONDecoder().decode(SearchResponse.self, from: answer.body).results.map(\.id) == [name])
            }

            let scene = try Data(contentsOf: Self.fixtures.appendingPathComponent("images/scene-320x240.jpg"))
            let refusals: [(Data, String, String, Int, String)] = [
                (scene, "text/plain", "/v1/search/image", 415, "unsupported_media_type"),
                (scene.prefix(scene.count / 2), "image/jpeg", "/v1/search/image", 400, "image_truncated"),
                (Data("GIF89a....".utf8), "image/gif", "/v1/search/image", 400, "image_unsupported_format"),
                (Data(), "image/jpeg", "/v1/search/image", 400, "image_empty"),
                (scene, "image/jpeg", "/v1/search/image?k=0", 400, "invalid_k"),
                (scene, "multipart/form-data; boundary=zz", "/v1/search/image", 400, "invalid_multipart"),
                (Data(count: 300 << 10), "image/jpeg", "/v1/search/image", 413, "too_large"),
            ]
            for (body, contentType, path, status, code) in refusals {
                let answer = try await query.raw(method: "POST", path: path, body: body, contentType: contentType)
                #expect(
                    answer.status == status, "\(contentType) \(path): \(String(decoding: answer.body, as: UTF8.self))")
                #expect(errorCode(answer.body) == code, "\(String(decoding: answer.body, as: UTF8.self))")
            }
            #expect(try await query.health().status == "ok")
        }
    }

    @Test func aDaemonWithoutAnImageSpaceSaysSo() async throws {
        try await withServer { fixture in
            let scene = try Data(contentsOf: Self.fixtures.appendingPathComponent("images/scene-320x240.jpg"))
            let answer = try await fixture.queryClient.raw(
                method: "POST", path: "/v1/search/image", body: scene, contentType: "image/jpeg")
            #expect(answer.status == 400)
            #expect(errorCode(answer.body) == "no_image_space")
        }
    }
}
