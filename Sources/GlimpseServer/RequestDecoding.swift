import Foundation
import GlimpseAPI
import Hummingbird

/// Reads request bodies and query strings strictly, turning every malformed input into a 400 that says what is wrong.
enum RequestDecoding {
    static func body(of request: Request, limit: Int) async throws -> Data {
        var request = request
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: limit)
        } catch {
            throw APIErrorResponse(
                status: .contentTooLarge, code: .tooLarge, message: "request body is larger than \(limit) bytes")
        }
        return Data(buffer: buffer)
    }

    static func json<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        guard !data.isEmpty else {
            throw APIErrorResponse.invalid(.invalidJSON, "the request body is empty; send JSON")
        }
        guard String(data: data, encoding: .utf8) != nil else {
            throw APIErrorResponse.invalid(.invalidJSON, "the request body is not valid UTF-8")
        }
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch let DecodingError.dataCorrupted(context) {
            // Foundation reports a fraction or an out-of-range number in an integer field as "not valid JSON" with no
            // path; name the field instead of blaming the syntax.
            if context.codingPath.isEmpty,
                let probe = try? JSONDecoder().decode(NonIntegerNumberProbe.self, from: data),
                let badPath = probe.path
            {
                throw APIErrorResponse.invalid(
                    .invalidItem,
                    "wrong type at \(path(badPath)): expected an integer that fits in 64 bits, got \(probe.value)")
            }
            throw APIErrorResponse.invalid(.invalidJSON, "malformed JSON: \(describe(context))")
        } catch let DecodingError.keyNotFound(key, context) {
            throw APIErrorResponse.invalid(
                .invalidItem, "missing field \(path(context.codingPath + [key]))")
        } catch let DecodingError.typeMismatch(expected, context) {
            throw APIErrorResponse.invalid(
                .invalidItem, "wrong type at \(path(context.codingPath)): expected \(typeName(expected))")
        } catch let DecodingError.valueNotFound(expected, context) {
            throw APIErrorResponse.invalid(
                .invalidItem, "null at \(path(context.codingPath)): expected \(typeName(expected))")
        } catch {
            throw APIErrorResponse.invalid(.invalidJSON, "malformed JSON: \(error)")
        }
    }

    /// Decodes `a=1&b=x+y` into a dictionary, treating `+` as a space as HTML forms and `curl --data-urlencode` do.
    static func queryParameters(of request: Request) throws -> [String: String] {
        guard let query = request.uri.query, !query.isEmpty else { return [:] }
        var parameters: [String: String] = [:]
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let key = decodeComponent(parts[0]) else {
                throw APIErrorResponse.invalid(
                    .invalidQuery, "a query parameter name is not valid percent-encoded UTF-8")
            }
            let rawValue = parts.count > 1 ? parts[1] : ""
            guard let value = decodeComponent(rawValue) else {
                throw APIErrorResponse.invalid(
                    .invalidQuery, "query parameter \(key) is not valid percent-encoded UTF-8")
            }
            parameters[key] = value
        }
        return parameters
    }

    /// The body as a strict JSON tree (duplicate keys refused), to check its field names before typed decoding.
    static func jsonValue(from data: Data) throws -> JSONValue {
        guard !data.isEmpty else {
            throw APIErrorResponse.invalid(.invalidJSON, "the request body is empty; send JSON")
        }
        do {
            return try JSONValue(parsing: data)
        } catch {
            throw APIErrorResponse.invalid(.invalidJSON, "malformed JSON: \(error)")
        }
    }

    /// A misspelt field is refused rather than ignored, so a request never silently does less than was meant.
    static func refuseUnknownKeys(_ fields: [String: JSONValue], allowed: Set<String>, at place: String) throws {
        if let unknown = fields.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw APIErrorResponse.invalid(
                .unknownField,
                "unknown field \"\(unknown)\" in \(place); allowed: \(allowed.sorted().joined(separator: ", "))")
        }
    }

    static func integer(_ name: String, in parameters: [String: String], code: APIErrorCode) throws -> Int? {
        guard let text = parameters[name] else { return nil }
        guard let value = Int(text) else {
            throw APIErrorResponse.invalid(code, "\(name) must be an integer, got \"\(text.prefix(40))\"")
        }
        return value
    }

    /// `true`/`false` (also `1`/`0`); anything else is a 400 naming the parameter.
    static func boolean(_ name: String, in parameters: [String: String], code: APIErrorCode) throws -> Bool? {
        guard let text = parameters[name] else { return nil }
        switch text.lowercased() {
        case "true", "1": return true
        case "false", "0": return false
        default:
            throw APIErrorResponse.invalid(code, "\(name) must be true or false, got \"\(text.prefix(40))\"")
        }
    }

    private static func decodeComponent(_ component: Substring) -> String? {
        component.replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }

    private static func path(_ codingPath: [any CodingKey]) -> String {
        let text = codingPath.map { key in key.intValue.map { "[\($0)]" } ?? ".\(key.stringValue)" }.joined()
        let trimmed = text.hasPrefix(".") ? String(text.dropFirst()) : text
        return trimmed.isEmpty ? "the top level" : trimmed
    }

    private static func describe(_ context: DecodingError.Context) -> String {
        let underlying = (context.underlyingError as NSError?)?.userInfo[NSDebugDescriptionErrorKey] as? String
        return underlying ?? context.debugDescription
    }

    private static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type, is Int64.Type: "an integer"
        case is [String: String].Type: "an object of strings"
        case is [Any].Type: "an array"
        default: "\(type)"
        }
    }
}

/// Finds the first number in a JSON document that is not a whole number fitting in `Int` (object keys in sorted order).
private struct NonIntegerNumberProbe: Decodable {
    var path: [any CodingKey]?
    var value: Double = 0

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let object = try? container.decode([String: NonIntegerNumberProbe].self) {
            if let key = object.keys.sorted().first(where: { object[$0]?.path != nil }), let found = object[key] {
                self = found
            }
        } else if let array = try? container.decode([NonIntegerNumberProbe].self) {
            if let found = array.first(where: { $0.path != nil }) { self = found }
        } else if (try? container.decode(Int.self)) == nil, let number = try? container.decode(Double.self) {
            path = decoder.codingPath
            value = number
        }
    }
}
