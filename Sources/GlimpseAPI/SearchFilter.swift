import Foundation

/// A filter on items, for `filter` on search, similar, listing and bulk delete. The grammar (docs/api.md) is JSON,
/// close to Qdrant's:
///
///     filter    = {"and": [filter, …]} | {"or": [filter, …]} | {"not": filter} | condition
///     condition = {"field": NAME, "eq": scalar}
///               | {"field": NAME, "in": [scalar, …]}
///               | {"field": NAME, "gt"|"gte"|"lt"|"lte": number or RFC 3339 timestamp, …}   (one or more bounds)
///               | {"field": NAME, "exists": true|false}
///     scalar    = string | number | true | false
///
/// NAME is a user field, or a built-in: `lang` (the item has a caption in that language; eq, in, exists) and
/// `ingested_at` (when the item was first ingested; ranges and eq on timestamps), `photo.taken_at` (EXIF capture
/// time; ranges, eq and exists on timestamps), `photo.width` and `photo.height` (upright pixels; ranges, eq, in and
/// exists on numbers). A string equal to a field's
/// array element matches (`{"field": "tags", "eq": "beach"}` finds `"tags": ["beach", "sea"]`).
public indirect enum SearchFilter: Sendable, Equatable {
    case and([SearchFilter])
    case or([SearchFilter])
    case not(SearchFilter)
    case condition(field: String, test: FilterTest)
}

public enum FilterTest: Sendable, Equatable {
    case eq(FilterValue)
    case `in`([FilterValue])
    case range(FilterRange)
    case exists(Bool)
}

public enum FilterValue: Sendable, Equatable {
    case string(String)
    case number(Double)
    case bool(Bool)

    /// Seconds since 1970 when the value is an RFC 3339 timestamp string.
    public var timestampSeconds: Double? {
        if case .string(let text) = self { RFC3339.seconds(text) } else { nil }
    }
}

/// Range bounds as given: all numbers, or all RFC 3339 timestamps (`onTimestamps`).
public struct FilterRange: Sendable, Equatable {
    public var gt: FilterValue?
    public var gte: FilterValue?
    public var lt: FilterValue?
    public var lte: FilterValue?
    public var onTimestamps: Bool

    public init(
        gt: FilterValue? = nil, gte: FilterValue? = nil, lt: FilterValue? = nil, lte: FilterValue? = nil,
        onTimestamps: Bool
    ) {
        self.gt = gt
        self.gte = gte
        self.lt = lt
        self.lte = lte
        self.onTimestamps = onTimestamps
    }

    /// A bound as a number: the number itself, or a timestamp's seconds since 1970.
    public static func seconds(_ bound: FilterValue?) -> Double? {
        switch bound {
        case .number(let number)?: number
        case .string?: bound?.timestampSeconds
        default: nil
        }
    }
}

/// A filter that cannot be read: `path` points at the bad part (`filter.and[1].gte`).
public struct SearchFilterError: Error, Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var message: String
    public var description: String { "\(path): \(message)" }

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }
}

extension SearchFilter {
    /// Parses the JSON text of a filter (the `filter=` query parameter, or a body field's text).
    public init(parsing text: String, path: String = "filter") throws(SearchFilterError) {
        guard text.utf8.count <= IngestLimits.maxFilterBytes else {
            throw SearchFilterError(
                path: path, message: "is \(text.utf8.count) bytes long; the limit is \(IngestLimits.maxFilterBytes)")
        }
        let value: JSONValue
        do {
            value = try JSONValue(parsing: Data(text.utf8))
        } catch {
            throw SearchFilterError(
                path: path,
                message:
                    "is not valid JSON (\(error)); e.g. {\"field\": \"owner\", \"eq\": \"u42\"}")
        }
        try self.init(value, path: path)
    }

    /// Reads a filter from a JSON value, refusing anything outside the grammar with the path of the bad part.
    public init(_ value: JSONValue, path: String = "filter") throws(SearchFilterError) {
        var conditions = 0
        self = try Self.read(value, path: path, depth: 1, conditions: &conditions)
    }

    private static let rangeKeys = ["gt", "gte", "lt", "lte"]

    private static func read(_ value: JSONValue, path: String, depth: Int, conditions: inout Int)
        throws(SearchFilterError) -> SearchFilter
    {
        guard depth <= IngestLimits.maxFilterDepth else {
            throw SearchFilterError(path: path, message: "nests deeper than \(IngestLimits.maxFilterDepth) levels")
        }
        guard case .object(let object) = value else {
            throw SearchFilterError(
                path: path,
                message: "is \(value.kindName); expected an object such as {\"field\": \"owner\", \"eq\": \"u42\"}")
        }
        for connective in ["and", "or", "not"] where object[connective] != nil {
            guard object.count == 1 else {
                let others = object.keys.filter { $0 != connective }.sorted().joined(separator: ", ")
                throw SearchFilterError(
                    path: path, message: "\"\(connective)\" cannot be combined with other keys (\(others))")
            }
            let inner = object[connective]!
            let innerPath = "\(path).\(connective)"
            if connective == "not" {
                return .not(try read(inner, path: innerPath, depth: depth + 1, conditions: &conditions))
            }
            guard case .array(let elements) = inner, !elements.isEmpty else {
                throw SearchFilterError(path: innerPath, message: "must be a non-empty array of filters")
            }
            var parts: [SearchFilter] = []
            for (index, element) in elements.enumerated() {
                parts.append(
                    try read(element, path: "\(innerPath)[\(index)]", depth: depth + 1, conditions: &conditions))
            }
            return connective == "and" ? .and(parts) : .or(parts)
        }
        conditions += 1
        guard conditions <= IngestLimits.maxFilterConditions else {
            throw SearchFilterError(
                path: path, message: "the filter has more than \(IngestLimits.maxFilterConditions) conditions")
        }
        return try condition(object, path: path)
    }

    private static func condition(_ object: [String: JSONValue], path: String) throws(SearchFilterError)
        -> SearchFilter
    {
        let allowed: Set<String> = Set(["field", "eq", "in", "exists"] + rangeKeys)
        if let unknown = object.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw SearchFilterError(
                path: "\(path).\(unknown)",
                message:
                    "unknown key; a condition has \"field\" and one of eq, in, gt, gte, lt, lte, exists, or use and/or/not"
            )
        }
        guard case .string(let field)? = object["field"], !field.isEmpty else {
            throw SearchFilterError(path: "\(path).field", message: "a condition needs \"field\": a non-empty string")
        }
        let operators = object.keys.filter { $0 != "field" }.sorted()
        let ranges = operators.filter { rangeKeys.contains($0) }
        guard !operators.isEmpty else {
            throw SearchFilterError(path: path, message: "the condition on \(field) has no eq, in, range or exists")
        }
        guard ranges.count == operators.count || operators.count == 1 else {
            throw SearchFilterError(
                path: path,
                message:
                    "the condition on \(field) mixes \(operators.joined(separator: ", ")); use one per condition and combine with and"
            )
        }
        if !ranges.isEmpty {
            var range = FilterRange(onTimestamps: false)
            var kinds: Set<Bool> = []
            for key in ranges {
                let bound: FilterValue
                switch object[key]! {
                case .number(let number) where number.isFinite:
                    bound = .number(number)
                    kinds.insert(false)
                case .string(let text):
                    guard RFC3339.seconds(text) != nil else {
                        throw SearchFilterError(
                            path: "\(path).\(key)",
                            message: "\"\(text.prefix(40))\" is not an RFC 3339 timestamp such as 2024-01-01T00:00:00Z")
                    }
                    bound = .string(text)
                    kinds.insert(true)
                case let other:
                    throw SearchFilterError(
                        path: "\(path).\(key)",
                        message: "is \(other.kindName); expected a number or an RFC 3339 timestamp")
                }
                switch key {
                case "gt": range.gt = bound
                case "gte": range.gte = bound
                case "lt": range.lt = bound
                default: range.lte = bound
                }
            }
            guard kinds.count == 1 else {
                throw SearchFilterError(path: path, message: "the bounds mix numbers and timestamps")
            }
            range.onTimestamps = kinds.first!
            return .condition(field: field, test: .range(range))
        }
        let key = operators[0]
        let operand = object[key]!
        switch key {
        case "eq":
            return .condition(field: field, test: .eq(try scalar(operand, path: "\(path).eq")))
        case "in":
            guard case .array(let elements) = operand, !elements.isEmpty else {
                throw SearchFilterError(path: "\(path).in", message: "must be a non-empty array of values")
            }
            var values: [FilterValue] = []
            for (index, element) in elements.enumerated() {
                values.append(try scalar(element, path: "\(path).in[\(index)]"))
            }
            return .condition(field: field, test: .in(values))
        default:
            guard case .bool(let flag) = operand else {
                throw SearchFilterError(
                    path: "\(path).exists", message: "is \(operand.kindName); expected true or false")
            }
            return .condition(field: field, test: .exists(flag))
        }
    }

    private static func scalar(_ value: JSONValue, path: String) throws(SearchFilterError) -> FilterValue {
        switch value {
        case .string(let text): return .string(text)
        case .number(let number) where number.isFinite: return .number(number)
        case .bool(let flag): return .bool(flag)
        default:
            throw SearchFilterError(
                path: path, message: "is \(value.kindName); expected a string, a number or true/false")
        }
    }
}

extension SearchFilter: Codable {
    /// Decoding applies the grammar's checks (`init(_:path:)`), with the error's path in the message.
    public init(from decoder: any Decoder) throws {
        let value = try JSONValue(from: decoder)
        do {
            try self.init(value)
        } catch {
            throw DecodingError.dataCorrupted(
                DecodingError.Context(codingPath: decoder.codingPath, debugDescription: error.description))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        try jsonValue.encode(to: encoder)
    }

    /// The filter in the grammar's JSON form.
    public var jsonValue: JSONValue {
        switch self {
        case .and(let parts): return .object(["and": .array(parts.map(\.jsonValue))])
        case .or(let parts): return .object(["or": .array(parts.map(\.jsonValue))])
        case .not(let inner): return .object(["not": inner.jsonValue])
        case .condition(let field, let test):
            var object: [String: JSONValue] = ["field": .string(field)]
            switch test {
            case .eq(let value): object["eq"] = value.jsonValue
            case .in(let values): object["in"] = .array(values.map(\.jsonValue))
            case .exists(let flag): object["exists"] = .bool(flag)
            case .range(let range):
                object["gt"] = range.gt?.jsonValue
                object["gte"] = range.gte?.jsonValue
                object["lt"] = range.lt?.jsonValue
                object["lte"] = range.lte?.jsonValue
            }
            return .object(object)
        }
    }
}

extension FilterValue {
    public var jsonValue: JSONValue {
        switch self {
        case .string(let text): .string(text)
        case .number(let number): .number(number)
        case .bool(let flag): .bool(flag)
        }
    }
}
