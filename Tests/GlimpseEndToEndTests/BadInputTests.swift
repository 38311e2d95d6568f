import Foundation
import GlimpseAPI
import GlimpseClient
import GlimpseTestSupport
import Testing

/// Malformed requests get a 4xx with a JSON body naming the problem; the daemon keeps serving.
@Suite(.serialized) struct BadInputTests {
    @Test func malformedRequestsAreRefusedClearlyAndTheDaemonKeepsServing() async throws {
        try TestEnvironment.requirePrerequisites()
        try await withScratchDirectory("bad") { directory in
            try await withDaemon(in: directory) { daemon in
                let client = daemon.adminClient

                let cases:
                    [(method: String, path: String, body: String?, status: Int, code: String, mentions: String)] = [
                        ("POST", "/v1/items", "{not json", 400, "invalid_json", "malformed JSON"),
                        ("POST", "/v1/items", "", 400, "invalid_json", "empty"),
                        ("POST", "/v1/items", "[1,2]", 400, "invalid_json", "JSON object"),
                        (
                            "POST", "/v1/items", #"{"image_path": 5, "captions": {"en": "x"}}"#, 400, "invalid_item",
                            "image_path"
                        ),
                        ("POST", "/v1/items", #"{"image_path": "/x.jpg"}"#, 400, "invalid_item", "captions"),
                        (
                            "POST", "/v1/items", #"{"image_path": "/x.jpg", "captions": {"en": "x"}, "caption": "y"}"#,
                            400, "unknown_field", "caption"
                        ),
                        (
                            "POST", "/v1/items", #"{"image_path": "rel.jpg", "captions": {"en": "x"}}"#, 400,
                            "invalid_item", "absolute"
                        ),
                        (
                            // No captions in a daemon without an image space: nothing could ever find the item.
                            "POST", "/v1/items", #"{"items": [{"image_path": "/a.jpg", "captions": {}}]}"#, 400,
                            "no_image_space", "items[0] has no captions"
                        ),
                        ("GET", "/v1/search", nil, 400, "invalid_query", "q"),
                        ("GET", "/v1/search?q=dog&k=abc", nil, 400, "invalid_k", "integer"),
                        ("GET", "/v1/search?q=dog&k=0", nil, 400, "invalid_k", "between"),
                        ("GET", "/v1/search?q=%FF%FE", nil, 400, "invalid_query", "UTF-8"),
                        ("GET", "/v1/items/nope", nil, 404, "not_found", "nope"),
                        ("GET", "/v1/jobs/abc", nil, 400, "invalid_id", "integer"),
                        ("GET", "/v1/jobs/999999", nil, 404, "not_found", "999999"),
                        ("GET", "/v1/nothing-here", nil, 404, "not_found", "no such endpoint"),
                    ]
                for testCase in cases {
                    let answer = try await client.raw(
                        method: testCase.method, path: testCase.path, body: testCase.body.map { Data($0.utf8) })
                    #expect(
                        answer.status == testCase.status, "\(testCase.method) \(testCase.path) \(testCase.body ?? "")")
                    let error = try? JSONDecoder().decode(ErrorResponse.self, from: answer.body)
                    #expect(
                        error?.error.code == testCase.code,
                        "\(testCase.path): \(String(decoding: answer.body, as: UTF8.self))")
                    #expect(
                        error?.error.message.contains(testCase.mentions) == true,
                        "\(testCase.path): \(String(decoding: answer.body, as: UTF8.self))")
                }

                let huge = String(repeating: "狗", count: 400_000)
                let longQuery = try await client.raw(
                    method: "GET",
                    path: "/v1/search?q=\(huge.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)",
                    body: nil)
                #expect((400..<500).contains(longQuery.status), "a 1 MB query is refused, not served")

                let oversized = Data(repeating: UInt8(ascii: " "), count: 9 << 20)
                let tooBig = try await client.raw(method: "POST", path: "/v1/items", body: oversized)
                #expect(tooBig.status == 413)

                #expect((try? await client.health()) != nil, "still serving after bad input:\n\(daemon.log)")
                #expect(try await client.status().catalog.items == 0, "nothing was stored from bad input")
                #expect(await daemon.terminate() == 0)
            }
        }
    }
}
