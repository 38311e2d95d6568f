import Foundation
import GlimpseClient
import Testing

@Suite struct GlimpseClientErrorTests {
    @Test func theDaemonsErrorBodyGivesStatusCodeAndMessage() {
        let body = Data(#"{"error": {"code": "invalid_query", "message": "the query q is empty"}}"#.utf8)
        let error = GlimpseClientError.fromErrorAnswer(status: 400, body: body, socketPath: "/s.sock")
        #expect(error.kind == .api)
        #expect(error.status == 400)
        #expect(error.code == "invalid_query")
        #expect(error.message == "the query q is empty")
        #expect(error.description == "400 invalid_query: the query q is empty")
    }

    @Test func anErrorAnswerWithoutTheJSONBodyStillNamesTheStatus() {
        let error = GlimpseClientError.fromErrorAnswer(
            status: 502, body: Data("Bad Gateway".utf8), socketPath: "/s.sock")
        #expect(error.kind == .api)
        #expect(error.status == 502)
        #expect(error.description.contains("502"))
        #expect(error.description.contains("Bad Gateway"))

        let empty = GlimpseClientError.fromErrorAnswer(status: 500, body: Data(), socketPath: "/s.sock")
        #expect(empty.description.contains("500"))
    }

    @Test func anUnreachableDaemonIsDescribedWithTheSocketAndAHint() {
        let error = GlimpseClientError(
            kind: .unreachable, socketPath: "/run/glimpse/glimpse.sock", message: "connection refused")
        #expect(
            error.description
                == "cannot reach glimpsed at /run/glimpse/glimpse.sock: connection refused (is glimpsed running?)")
    }
}
