import Foundation
import Hummingbird
import Testing

@testable import GlimpseServer

typealias BasicRequestContextForTests = BasicRequestContext

@Suite struct QueryDecodingTests {
    private func parameters(_ uri: String) throws -> [String: String] {
        let request = Request(
            head: .init(method: .get, scheme: "http", authority: "localhost", path: uri),
            body: .init(buffer: ByteBuffer()))
        return try RequestDecoding.queryParameters(of: request)
    }

    @Test func decodesPercentEncodingAndPlusAsSpace() throws {
        #expect(try parameters("/v1/search?q=%E7%8B%97&k=5") == ["q": "狗", "k": "5"])
        #expect(try parameters("/v1/search?q=red+car") == ["q": "red car"])
        #expect(try parameters("/v1/search?q=%E7%BA%A2%E8%89%B2%E6%B1%BD%E8%BD%A6%20red%20car")["q"] == "红色汽车 red car")
        #expect(try parameters("/v1/search") == [:])
    }

    @Test func refusesInvalidUTF8() {
        #expect(throws: APIErrorResponse.self) { try parameters("/v1/search?q=%FF") }
    }

    @Test func integersMustParse() throws {
        #expect(try RequestDecoding.integer("k", in: ["k": "7"], code: .invalidK) == 7)
        #expect(try RequestDecoding.integer("k", in: [:], code: .invalidK) == nil)
        #expect(throws: APIErrorResponse.self) { try RequestDecoding.integer("k", in: ["k": "7x"], code: .invalidK) }
    }

    @Test func alignIsABooleanOrARefusal() throws {
        #expect(try RequestDecoding.boolean("align", in: ["align": "false"], code: .invalidAlign) == false)
        #expect(try RequestDecoding.boolean("align", in: ["align": "TRUE"], code: .invalidAlign) == true)
        #expect(try RequestDecoding.boolean("align", in: ["align": "0"], code: .invalidAlign) == false)
        #expect(try RequestDecoding.boolean("align", in: [:], code: .invalidAlign) == nil)
        #expect(throws: APIErrorResponse.self) {
            try RequestDecoding.boolean("align", in: ["align": "maybe"], code: .invalidAlign)
        }
        do {
            _ = try RequestDecoding.boolean("align", in: ["align": "maybe"], code: .invalidAlign)
        } catch let error as APIErrorResponse {
            #expect(error.code == .invalidAlign, "the refusal carries the parameter's own code")
        }
    }
}
