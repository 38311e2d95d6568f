import Foundation
import GlimpseAPI
import GlimpseClient
import GlimpseTestSupport
import Testing

@testable import GlimpseDaemon
@testable import GlimpseServer

/// `POST /v1/recognize` served for real, with the tiny Chinese-CLIP fixture configured as glimpsed configures it
/// (the built-in vocabulary, Chinese prompts).
@Suite struct RecognizeRouteTests {
    static let fixtures = CLIPFixtures.directory

    /// The label objects of an answer as raw JSON, so absent names are seen as absent (not as null).
    private func rawLabels(_ body: Data) throws -> [[String: Any]] {
        let object = try JSONSerialization.jsonObject(with: body) as? [String: Any]
        return try #require(object?["labels"] as? [[String: Any]])
    }

    @Test func recognizeAnswersInZhEnAndBothAndRefusesBadParameters() async throws {
        try await withServer(adjust: { configuration in
            configuration.spaces = [
                SpaceSetting(kind: .clip, folder: Self.fixtures.appendingPathComponent("chinese-clip-tiny").path)
            ]
            // The first request computes the 1,147 label vectors (15 s alone); with the whole suite running on two
            // cores that exceeded the default 30 s request timeout once.
            configuration.requestTimeout = .seconds(180)
        }) { fixture in
            let query = GlimpseClient(socketPath: fixture.queryClient.socketPath, timeout: .seconds(180))
            let scene = try Data(contentsOf: Self.fixtures.appendingPathComponent("images/scene-320x240.jpg"))
            let expectedKeys: [String: Set<String>] = [
                "zh": ["label_zh", "probability"], "en": ["label_en", "probability"],
                "both": ["label_en", "label_zh", "probability"],
            ]
            var answers: [String: [[String: Any]]] = [:]
            for (lang, keys) in expectedKeys {
                let answer = try await query.raw(
                    method: "POST", path: "/v1/recognize?lang=\(lang)&k=3", body: scene, contentType: "image/jpeg")
                #expect(answer.status == 200, "\(String(decoding: answer.body, as: UTF8.self))")
                let labels = try rawLabels(answer.body)
                #expect(labels.count == 3)
                #expect(labels.allSatisfy { Set($0.keys) == keys }, "lang=\(lang): \(labels)")
                answers[lang] = labels
            }
            // The same labels whatever names are shown, most probable first.
            let both = try #require(answers["both"])
            #expect(both.map { $0["label_zh"] as? String } == answers["zh"]!.map { $0["label_zh"] as? String })
            #expect(both.map { $0["label_en"] as? String } == answers["en"]!.map { $0["label_en"] as? String })
            let probabilities = both.compactMap { ($0["probability"] as? NSNumber)?.floatValue }
            #expect(probabilities.count == 3 && probabilities == probabilities.sorted(by: >))
            #expect(probabilities.allSatisfy { $0 > 0 && $0 < 1 })

            let client = try await query.recognize(scene)
            #expect(client.labels.count == RecognizeLimits.defaultK)
            #expect(client.space == "chinese-clip-tiny")
            #expect(client.labels.prefix(3).map(\.labelChinese) == both.map { $0["label_zh"] as? String })
            let multipartBoundary = "glimpse-recognize"
            var multipart = Data(
                "--\(multipartBoundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"scene.jpg\"\r\n\r\n"
                    .utf8)
            multipart += scene + Data("\r\n--\(multipartBoundary)--\r\n".utf8)
            let fromForm = try await query.raw(
                method: "POST", path: "/v1/recognize?k=3", body: multipart,
                contentType: "multipart/form-data; boundary=\(multipartBoundary)")
            #expect(fromForm.status == 200)
            #expect(
                try rawLabels(fromForm.body).map { $0["label_en"] as? String } == both.map { $0["label_en"] as? String }
            )

            // Refusals that read the body come first: see the note on early refusals below.
            let refusals: [(Data, String, String, Int, String, String)] = [
                (scene, "text/plain", "/v1/recognize", 415, "unsupported_media_type", "Content-Type"),
                (scene.prefix(scene.count / 2), "image/jpeg", "/v1/recognize", 400, "image_truncated", "image"),
                (Data(), "image/jpeg", "/v1/recognize", 400, "image_empty", "image"),
                (scene, "image/jpeg", "/v1/recognize?k=51", 400, "invalid_k", "k must"),
                // Refused from the query string before the body is read. A request sent on the same pooled
                // connection right after such an answer was once seen answered 400 malformed_request ("invalid HTTP
                // method"), as if the unread body were parsed as the next request: reported to the lead, not
                // specific to this route's code.
                (scene, "image/jpeg", "/v1/recognize?lang=fr", 400, "invalid_lang", "lang"),
                (scene, "image/jpeg", "/v1/recognize?k=0", 400, "invalid_k", "k must"),
                (scene, "image/jpeg", "/v1/recognize?k=many", 400, "invalid_k", "k must"),
                (scene, "image/jpeg", "/v1/recognize?language=zh", 400, "unknown_parameter", "language"),
            ]
            for (body, contentType, path, status, code, named) in refusals {
                let answer = try await query.raw(method: "POST", path: path, body: body, contentType: contentType)
                let text = String(decoding: answer.body, as: UTF8.self)
                #expect(answer.status == status, "\(path): \(text)")
                #expect(errorCode(answer.body) == code, "\(path): \(text)")
                #expect(text.contains(named), "\(path): \(text)")
            }
            // The admin socket serves reads too.
            let admin = try await fixture.adminClient.recognize(scene, language: .english, k: 1)
            #expect(admin.labels.count == 1 && admin.labels[0].labelChinese == nil)
        }
    }

    @Test func aDaemonWithoutAnImageSpaceSaysSo() async throws {
        try await withServer { fixture in
            let scene = try Data(contentsOf: Self.fixtures.appendingPathComponent("images/scene-320x240.jpg"))
            let answer = try await fixture.queryClient.raw(
                method: "POST", path: "/v1/recognize?lang=zh", body: scene, contentType: "image/jpeg")
            #expect(answer.status == 400)
            #expect(errorCode(answer.body) == "no_image_space")
            #expect(String(decoding: answer.body, as: UTF8.self).contains("spaces"))
        }
    }
}
