import Foundation
import GlimpseAPI
import Testing

@Suite struct SearchFilterTests {
    private func parse(_ text: String) throws -> SearchFilter { try SearchFilter(parsing: text) }

    private func failure(_ text: String) -> SearchFilterError? {
        do {
            _ = try SearchFilter(parsing: text)
            return nil
        } catch {
            return error
        }
    }

    @Test func conditionsAndConnectivesParse() throws {
        let filter = try parse(
            #"{"and":[{"field":"owner","eq":"u42"},{"field":"taken_at","gte":"2024-01-01T00:00:00Z","lt":"2025-01-01T00:00:00Z"},{"or":[{"field":"tags","in":["beach","sea"]},{"not":{"field":"stars","lte":2}}]},{"field":"album","exists":true}]}"#
        )
        guard case .and(let parts) = filter else {
            Issue.record("expected and, got \(filter)")
            return
        }
        #expect(parts.count == 4)
        #expect(parts[0] == .condition(field: "owner", test: .eq(.string("u42"))))
        guard case .condition("taken_at", .range(let range)) = parts[1] else {
            Issue.record("expected a range, got \(parts[1])")
            return
        }
        #expect(range.onTimestamps)
        #expect(FilterRange.seconds(range.gte) == 1_704_067_200)
        #expect(FilterRange.seconds(range.lt) == 1_735_689_600)
        #expect(range.gt == nil && range.lte == nil)
        #expect(
            parts[2]
                == .or([
                    .condition(field: "tags", test: .in([.string("beach"), .string("sea")])),
                    .not(.condition(field: "stars", test: .range(FilterRange(lte: .number(2), onTimestamps: false)))),
                ]))
        #expect(parts[3] == .condition(field: "album", test: .exists(true)))
    }

    @Test func errorsPointAtTheBadPart() {
        #expect(
            failure(#"{"and":[{"field":"a","eq":1},{"field":"b","gte":"yesterday"}]}"#)?.path == "filter.and[1].gte")
        #expect(failure(#"{"and":[{"field":"a","eq":1},{"field":"b","equals":2}]}"#)?.path == "filter.and[1].equals")
        #expect(failure(#"{"or":[]}"#)?.path == "filter.or")
        #expect(failure(#"{"not":{"field":"a","in":[{"x":1}]}}"#)?.path == "filter.not.in[0]")
        #expect(failure(#"{"field":"a"}"#)?.path == "filter")
        #expect(failure(#"{"eq":"x"}"#)?.path == "filter.field")
        #expect(failure(#"{"field":"a","eq":1,"in":[1]}"#)?.message.contains("mixes") == true)
        #expect(failure(#"{"field":"a","gte":1,"lt":"2024-01-01T00:00:00Z"}"#)?.message.contains("mix") == true)
        #expect(failure(#"{"and":[{"field":"a","eq":1}],"field":"b"}"#)?.message.contains("cannot be combined") == true)
        #expect(failure(#"{"field":"a","exists":"yes"}"#)?.path == "filter.exists")
        #expect(failure(#"["owner"]"#)?.path == "filter")
        #expect(failure("{not json")?.message.contains("not valid JSON") == true)
    }

    @Test func sizeAndDepthAreBounded() {
        var deep = #"{"field":"a","eq":1}"#
        for _ in 0..<IngestLimits.maxFilterDepth { deep = #"{"not":"# + deep + "}" }
        #expect(failure(deep)?.message.contains("deeper") == true)
        let many = (0...IngestLimits.maxFilterConditions).map { #"{"field":"f\#($0)","eq":1}"# }
        #expect(failure(#"{"or":["# + many.joined(separator: ",") + "]}")?.message.contains("conditions") == true)
        #expect(
            failure(String(repeating: " ", count: IngestLimits.maxFilterBytes + 1))?.message.contains("bytes") == true)
    }

    @Test func filtersRoundTripThroughJSON() throws {
        let text =
            #"{"and":[{"field":"owner","eq":"u42"},{"field":"taken_at","gte":"2024-01-01T00:00:00Z"},{"field":"n","in":[1,true,"x"]}]}"#
        let filter = try parse(text)
        let decoded = try JSONDecoder().decode(SearchFilter.self, from: JSONEncoder().encode(filter))
        #expect(decoded == filter)
        #expect(try JSONValue(parsing: JSONEncoder().encode(filter)) == JSONValue(parsing: Data(text.utf8)))
    }

    @Test func rfc3339TimestampsAreReadStrictly() {
        #expect(RFC3339.seconds("1970-01-01T00:00:00Z") == 0)
        #expect(RFC3339.seconds("2024-05-01T10:00:00Z") == 1_714_557_600)
        #expect(RFC3339.seconds("2024-05-01T12:00:00+02:00") == 1_714_557_600)
        #expect(RFC3339.seconds("2024-05-01T10:00:00.5Z") == 1_714_557_600.5)
        #expect(RFC3339.seconds("2024-02-29T00:00:00Z") != nil)
        for bad in [
            "2023-02-29T00:00:00Z", "2024-05-01", "2024-05-01T10:00:00", "2024-13-01T00:00:00Z", "2024-05-01T10:00Z",
            "2024-05-01T10:00:00.Z", "u42", "2024-05-01T25:00:00Z", "2024-05-01T10:00:00+2:00",
        ] {
            #expect(RFC3339.seconds(bad) == nil, "\(bad)")
        }
    }

    @Test func itemFieldsAreCheckedWithTheirName() {
        let good: [String: JSONValue] = [
            "owner": .string("u42"), "tags": .array([.string("beach")]), "stars": .number(4), "public": .bool(true),
            "taken_at": .string("2024-05-01T10:00:00Z"), "empty": .array([]),
        ]
        #expect(ItemFieldRules.problem(good, at: "items[0].fields") == nil)
        #expect(
            ItemFieldRules.problem(["a": .object([:])], at: "items[0].fields")?.hasPrefix(
                "items[0].fields.a is an object")
                == true)
        #expect(ItemFieldRules.problem(["a": .null], at: "f")?.hasPrefix("f.a is null") == true)
        #expect(
            ItemFieldRules.problem(["t": .array([.string("x"), .number(1)])], at: "f")?.hasPrefix("f.t[1] is a number")
                == true)
        #expect(
            ItemFieldRules.problem(["t": .array([.array([])])], at: "f")?.contains("no nesting") == true)
        #expect(ItemFieldRules.problem(["lang": .string("en")], at: "f")?.contains("built-in") == true)
        #expect(ItemFieldRules.problem(["": .string("x")], at: "f") != nil)
        let tooMany = Dictionary(
            uniqueKeysWithValues: (0...IngestLimits.maxFieldsPerItem).map { ("f\($0)", JSONValue.bool(true)) })
        #expect(ItemFieldRules.problem(tooMany, at: "f")?.contains("fields; the limit") == true)
        let long = String(repeating: "x", count: IngestLimits.maxFieldStringCharacters + 1)
        #expect(ItemFieldRules.problem(["s": .string(long)], at: "f") == "f.s is longer than 1000 characters")
        let manyElements = JSONValue.array(
            Array(repeating: .string("x"), count: IngestLimits.maxFieldArrayElements + 1))
        #expect(ItemFieldRules.problem(["t": manyElements], at: "f")?.contains("elements") == true)
        let bulky = Dictionary(
            uniqueKeysWithValues: (0..<20).map { ("f\($0)", JSONValue.string(String(repeating: "y", count: 1_000))) })
        #expect(ItemFieldRules.problem(bulky, at: "f")?.contains("bytes") == true)
    }
}
