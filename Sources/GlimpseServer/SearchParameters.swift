import Foundation
import GlimpseAPI
import Hummingbird

/// The query parameters and body fields of the filtered, paged reads: `filter`, `offset`, `cursor`, `min_score`,
/// and the refusal of any parameter a route does not know (a typo such as `ofset=5` must not answer page one).
enum SearchParameters {
    /// The paging parameters every search route takes.
    static let pagingNames: Set<String> = ["filter", "offset", "cursor", "min_score"]

    static func refuseUnknown(_ parameters: [String: String], allowed: Set<String>, route: String) throws {
        if let unknown = parameters.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw APIErrorResponse.invalid(
                .unknownParameter,
                "unknown query parameter \"\(unknown.prefix(64))\" for \(route); allowed: \(allowed.sorted().joined(separator: ", "))"
            )
        }
    }

    /// `filter` (JSON text), `offset`, `cursor`, `min_score` from a query string.
    static func paging(_ parameters: [String: String]) throws -> SearchPaging {
        SearchPaging(
            offset: try RequestDecoding.integer("offset", in: parameters, code: .invalidOffset),
            cursor: parameters["cursor"],
            minScore: try minScore(parameters["min_score"]),
            filter: try parameters["filter"].map { try filter(parsing: $0) })
    }

    static func filter(parsing text: String) throws -> SearchFilter {
        do {
            return try SearchFilter(parsing: text)
        } catch {
            throw APIErrorResponse.invalid(.invalidFilter, "invalid filter at \(error.description)")
        }
    }

    static func filter(_ value: JSONValue) throws -> SearchFilter {
        do {
            return try SearchFilter(value)
        } catch {
            throw APIErrorResponse.invalid(.invalidFilter, "invalid filter at \(error.description)")
        }
    }

    private static func minScore(_ text: String?) throws -> Float? {
        guard let text else { return nil }
        guard let value = Float(text), value.isFinite else {
            throw APIErrorResponse.invalid(.invalidMinScore, "min_score must be a number, got \"\(text.prefix(40))\"")
        }
        return value
    }

    /// The body of `POST /v1/search`: the GET parameters as a JSON object, `filter` as a JSON object.
    struct TextSearch {
        var query: String
        var k: Int?
        var ef: Int?
        var align: Bool
        var paging: SearchPaging
    }

    static let textSearchFields: Set<String> = Set(["q", "k", "ef", "align"]).union(pagingNames)

    static func textSearch(fromBody body: Data) throws -> TextSearch {
        guard case .object(let fields) = try RequestDecoding.jsonValue(from: body) else {
            throw APIErrorResponse.invalid(.invalidJSON, "the body must be a JSON object such as {\"q\": \"dog\"}")
        }
        try RequestDecoding.refuseUnknownKeys(fields, allowed: textSearchFields, at: "the search request")
        guard case .string(let query)? = fields["q"] else {
            throw APIErrorResponse.invalid(.invalidQuery, "q must be a string, e.g. {\"q\": \"dog\"}")
        }
        func integer(_ name: String, code: APIErrorCode) throws -> Int? {
            guard let value = fields[name] else { return nil }
            guard case .number(let number) = value, number.rounded() == number, abs(number) < 1e15 else {
                throw APIErrorResponse.invalid(code, "\(name) must be an integer")
            }
            return Int(number)
        }
        var align = true
        if let value = fields["align"] {
            guard case .bool(let flag) = value else {
                throw APIErrorResponse.invalid(.invalidAlign, "align must be true or false")
            }
            align = flag
        }
        var minScore: Float?
        if let value = fields["min_score"] {
            guard case .number(let number) = value else {
                throw APIErrorResponse.invalid(.invalidMinScore, "min_score must be a number")
            }
            minScore = Float(number)
        }
        var cursor: String?
        if let value = fields["cursor"] {
            guard case .string(let text) = value else {
                throw APIErrorResponse.invalid(.invalidCursor, "cursor must be a string (a next_cursor unchanged)")
            }
            cursor = text
        }
        return TextSearch(
            query: query, k: try integer("k", code: .invalidK), ef: try integer("ef", code: .invalidEF), align: align,
            paging: SearchPaging(
                offset: try integer("offset", code: .invalidOffset), cursor: cursor, minScore: minScore,
                filter: try fields["filter"].map(filter)))
    }
}
