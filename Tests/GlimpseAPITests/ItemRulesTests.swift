import Foundation
import GlimpseAPI
import Testing

@Suite struct ItemRulesTests {
    @Test func anItemIsStoredUnderItsIdElseItsImagePath() {
        #expect(IngestItem(id: "dog", imagePath: "/p/dog.jpg", captions: [:]).effectiveID == "dog")
        #expect(IngestItem(imagePath: "/p/dog.jpg", captions: [:]).effectiveID == "/p/dog.jpg")
    }

    @Test func blankAndOverlongIdsAreRefused() {
        #expect(IngestItem.idProblem("") == "is empty")
        #expect(IngestItem.idProblem(" \t\n") == "is empty")
        #expect(IngestItem.idProblem("a") == nil)
        #expect(IngestItem.idProblem(" a ") == nil, "surrounding whitespace is kept, only a blank id is refused")
        let longest = String(repeating: "狗", count: IngestLimits.maxIDCharacters)
        #expect(IngestItem.idProblem(longest) == nil)
        #expect(IngestItem.idProblem(longest + "x") == "is longer than \(IngestLimits.maxIDCharacters) characters")
        #expect(IngestItem.idProblem("abc", maxCharacters: 2) == "is longer than 2 characters")
    }

    /// The allowed field names are exactly what the types encode, so a renamed key cannot leave them behind.
    @Test func fieldNamesAreTheEncodedKeys() throws {
        func keys(_ value: some Encodable) throws -> Set<String> {
            Set(try #require(JSONValue(parsing: JSONEncoder().encode(value)).object).keys)
        }
        #expect(
            IngestItem.fieldNames
                == (try keys(IngestItem(id: "a", imagePath: "/a", captions: ["en": "a"], fields: ["o": .string("u")]))))
        #expect(RebuildRequest.fieldNames == (try keys(RebuildRequest(m: 16, efConstruction: 200, reembed: true))))
    }

    @Test func errorCodesAreDistinctSnakeCase() {
        let raw = APIErrorCode.allCases.map(\.rawValue)
        #expect(Set(raw).count == raw.count)
        for code in raw {
            #expect(code.allSatisfy { $0.isASCII && ($0.isLowercase || $0 == "_") }, "\(code)")
        }
        #expect(APIErrorCode.clientCode(forStatus: 502) == "http_502")
        #expect(
            APIErrorCode(rawValue: APIErrorCode.clientCode(forStatus: 502)) == nil, "never mistaken for a daemon code")
    }

    @Test func errorResponsesCarryTheCodesWireSpelling() throws {
        let body = try JSONEncoder().encode(ErrorResponse(code: .adminSocketRequired, message: "m"))
        #expect(
            try JSONValue(parsing: body)
                == .object(["error": .object(["code": .string("admin_socket_required"), "message": .string("m")])]))
        let future = Data(#"{"error": {"code": "some_new_code", "message": "m"}}"#.utf8)
        #expect(
            try JSONDecoder().decode(ErrorResponse.self, from: future).error.code == "some_new_code",
            "unknown codes still decode")
    }
}
