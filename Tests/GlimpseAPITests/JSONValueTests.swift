import Foundation
import GlimpseAPI
import Testing

@Suite struct JSONValueTests {
    private func parse(_ text: String) throws(JSONValue.ParseError) -> JSONValue {
        try JSONValue(parsing: Data(text.utf8))
    }

    private func refusal(_ text: String) -> String? {
        do {
            _ = try parse(text)
            return nil
        } catch {
            return error.reason
        }
    }

    @Test func readsEveryKindOfValue() throws {
        let value = try parse(
            #" {"a": [1, -2.5e3, true, false, null], "b": {"c": "x\u00e9\ud83d\ude00\n\"/"}, "": 0} "#)
        #expect(
            value
                == .object([
                    "a": .array([.number(1), .number(-2500), .bool(true), .bool(false), .null]),
                    "b": .object(["c": .string("xé😀\n\"/")]), "": .number(0),
                ]))
        #expect(try parse("\u{FEFF}[]") == .array([]), "a byte order mark is skipped, as RFC 8259 allows")
    }

    @Test func duplicateKeysAreRefusedWhereTheyAre() {
        #expect(refusal(#"{"id": "a", "id": "b"}"#) == #"duplicate key "id""#)
        #expect(refusal(#"{"x": {"k": 1, "k": 1}}"#) == #"duplicate key "k""#, "also nested, also with equal values")
        do {
            _ = try parse(#"{"id": "a", "id": "b"}"#)
        } catch {
            #expect(error.offset == 12, "the offset points at the second key")
        }
    }

    @Test(arguments: [
        "NaN", "[Infinity]", "-Infinity", "[1,]", "{\"a\":1,}", "01", "1.", ".5", "1e", "+1", "'a'", "[1] 2", "",
        "{\"a\" 1}", "\"\u{01}\"", "\"\\ud800\"", "\"\\udc00x\"", "\"\\x\"", "\"abc", "1e400", "tru", "[", "// c\n1",
    ])
    func nonStrictJSONIsRefused(text: String) {
        #expect(refusal(text) != nil, "\(text.debugDescription) was accepted")
    }

    @Test func nestingIsBounded() throws {
        let deep =
            String(repeating: "[", count: JSONValue.maximumDepth + 1)
            + String(repeating: "]", count: JSONValue.maximumDepth + 1)
        #expect(refusal(deep)?.contains("deeper") == true)
        let allowed =
            String(repeating: "[", count: JSONValue.maximumDepth)
            + String(repeating: "]", count: JSONValue.maximumDepth)
        #expect(refusal(allowed) == nil)
    }

    @Test func invalidUTF8InAStringIsRefused() {
        #expect(throws: JSONValue.ParseError.self) { try JSONValue(parsing: Data([0x22, 0xFF, 0x22])) }
    }

    @Test func codableRoundTripKeepsTheTree() throws {
        let value = try parse(#"{"n": 1.5, "s": "t", "a": [null, true, {"o": []}]}"#)
        #expect(try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(value)) == value)
    }

    @Test func nonFiniteNumbersCannotBeEncoded() {
        #expect(throws: EncodingError.self) { try JSONEncoder().encode(JSONValue.array([.number(.nan)])) }
        #expect(throws: EncodingError.self) { try JSONEncoder().encode(JSONValue.number(.infinity)) }
    }

    @Test func kindNamesForMessages() {
        #expect(JSONValue.object([:]).kindName == "an object")
        #expect(JSONValue.array([]).kindName == "an array")
        #expect(JSONValue.number(1).kindName == "a number")
        #expect(JSONValue.null.kindName == "null")
        #expect(JSONValue.object(["a": .null]).object == ["a": .null])
        #expect(JSONValue.string("a").object == nil)
    }
}
