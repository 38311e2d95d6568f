import Foundation
import GlimpseAPI
import GlimpseClient
import Hummingbird
import Testing

/// The client against a throw-away server on a temporary Unix socket: requests and answers round-trip, and each
/// kind of failure is reported as what it is.
@Suite struct UnixSocketTransportTests {
    static let dogResult = SearchResult(
        id: "/photos/狗.jpg", score: 0.875, imagePath: "/photos/狗.jpg", captions: ["zh": "一只小狗"],
        matched: MatchedVector(space: "text", source: "caption", language: "zh"))

    @Test func typedCallsRoundTripOverTheSocket() async throws {
        try await FakeDaemon.with(configure: { router, _ in
            router.get("/v1/health") { _, _ in FakeDaemon.json(HealthResponse(status: "ok")) }
            router.get("/v1/search") { request, _ in
                let query = request.uri.queryParameters["q"].map(String.init) ?? ""
                return FakeDaemon.json(
                    SearchResponse(query: query, k: 5, ef: 64, tookMilliseconds: 1.5, results: [Self.dogResult]))
            }
            router.get("/v1/items/{id}") { _, context in
                let raw = try context.parameters.require("id")
                let id = raw.removingPercentEncoding ?? raw
                return FakeDaemon.json(
                    ItemResponse(
                        id: id, imagePath: id, contentHash: "abc", captions: ["en": "a dog"], vectors: 1,
                        createdAt: "2025-01-01T00:00:00Z", updatedAt: "2025-01-01T00:00:00Z"))
            }
        }) { daemon in
            let client = GlimpseClient(socketPath: daemon.socketPath)
            #expect(try await client.health().status == "ok")

            let search = try await client.search("狗 & 猫", k: 5, ef: 64)
            #expect(search.query == "狗 & 猫", "the query arrives intact")
            #expect(search.results == [Self.dogResult])
            #expect(daemon.requests.last?.target == "/v1/search?q=%E7%8B%97%20%26%20%E7%8C%AB&k=5&ef=64")

            let item = try await client.item(id: "/photos/狗 1.jpg")
            #expect(item.id == "/photos/狗 1.jpg")
            #expect(daemon.requests.last?.target == "/v1/items/%2Fphotos%2F%E7%8B%97%201.jpg")
        }
    }

    @Test func anErrorAnswerBecomesAnAPIErrorWithTheServersCodeAndMessage() async throws {
        try await FakeDaemon.with(configure: { router, _ in
            router.get("/v1/search") { _, _ in
                FakeDaemon.error(.badRequest, code: .invalidQuery, message: "the query q is empty")
            }
        }) { daemon in
            let client = GlimpseClient(socketPath: daemon.socketPath)
            do {
                _ = try await client.search("", k: nil, ef: nil)
                Issue.record("an error answer was taken as a result")
            } catch let error as GlimpseClientError {
                #expect(error.kind == .api)
                #expect(error.status == 400)
                #expect(error.code == "invalid_query")
                #expect(error.description == "400 invalid_query: the query q is empty")
            }
        }
    }

    @Test func rawReturnsErrorAnswersAndSendsThePathAsGiven() async throws {
        try await FakeDaemon.with(configure: { router, _ in
            router.post("/v1/items") { _, _ in
                FakeDaemon.error(.badRequest, code: .invalidJSON, message: "malformed JSON")
            }
        }) { daemon in
            let client = GlimpseClient(socketPath: daemon.socketPath)
            let answer = try await client.raw(method: "POST", path: "/v1/items", body: Data("{not json".utf8))
            #expect(answer.status == 400)
            #expect(try JSONDecoder().decode(ErrorResponse.self, from: answer.body).error.code == "invalid_json")
            #expect(daemon.requests.last?.body == Data("{not json".utf8))

            let missing = try await client.raw(method: "GET", path: "/v1/search?q=%FF%FE", body: nil)
            #expect(missing.status == 404, "no route for GET /v1/search here")
            #expect(daemon.requests.last?.target == "/v1/search?q=%FF%FE")
        }
    }

    @Test func anAnswerOfTheWrongShapeIsReportedAsUndecodable() async throws {
        try await FakeDaemon.with(configure: { router, _ in
            router.get("/v1/status") { _, _ in FakeDaemon.json(["unexpected": true]) }
        }) { daemon in
            let client = GlimpseClient(socketPath: daemon.socketPath)
            do {
                _ = try await client.status()
                Issue.record("a malformed status was accepted")
            } catch let error as GlimpseClientError {
                #expect(error.kind == .undecodableResponse)
                #expect(error.description.contains("StatusResponse"), "\(error)")
            }
        }
    }

    @Test func aMissingSocketIsReportedAsUnreachableAtOnce() async throws {
        let path = FakeDaemon.temporarySocketPath()
        let client = GlimpseClient(socketPath: path)
        do {
            try await client.health()
            Issue.record("health succeeded without a daemon")
        } catch {
            #expect(error.kind == .unreachable)
            #expect(error.description.contains("cannot reach glimpsed at \(path)"), "\(error)")
            #expect(error.description.contains("is glimpsed running?"))
        }
    }

    @Test func aSocketFileNobodyListensOnIsReportedAsConnectionRefused() async throws {
        let path = FakeDaemon.temporarySocketPath()
        try bindWithoutListening(path)
        defer { unlink(path) }
        do {
            try await GlimpseClient(socketPath: path).health()
            Issue.record("health succeeded without a listener")
        } catch {
            #expect(error.kind == .unreachable)
            #expect(error.message == "connection refused", "\(error)")
        }
    }

    /// Leaves a socket file behind that no process accepts on, as a crashed daemon would.
    private func bindWithoutListening(_ path: String) throws {
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        try #require(descriptor >= 0)
        defer { close(descriptor) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            buffer.copyBytes(from: path.utf8.prefix(buffer.count - 1))
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        try #require(bound == 0, "bind failed: \(errno)")
    }
}
