import Foundation
import GlimpseAPI
import GlimpseCatalog

/// Between the wire's item fields and filters (`GlimpseAPI`) and what the catalog stores and evaluates.
enum ItemFieldConversion {
    /// Checked fields (`ItemFieldRules`) as the catalog stores them: a string in RFC 3339 form becomes a
    /// timestamp, keeping its spelling.
    static func stored(_ fields: [String: JSONValue]?) -> [String: ItemFieldValue] {
        guard let fields else { return [:] }
        var stored: [String: ItemFieldValue] = [:]
        for (name, value) in fields {
            switch value {
            case .string(let text):
                stored[name] = RFC3339.seconds(text).map { .timestamp(seconds: $0, text: text) } ?? .string(text)
            case .number(let number): stored[name] = .number(number)
            case .bool(let flag): stored[name] = .boolean(flag)
            case .array(let elements):
                stored[name] = .strings(
                    elements.compactMap { element in if case .string(let text) = element { text } else { nil } })
            case .object, .null: continue  // refused by validation before a job is committed
            }
        }
        return stored
    }

    /// Stored fields as JSON, as they were sent; nil when there are none.
    static func wire(_ fields: [String: ItemFieldValue]) -> [String: JSONValue]? {
        guard !fields.isEmpty else { return nil }
        return fields.mapValues { value in
            switch value {
            case .string(let text): .string(text)
            case .number(let number): .number(number)
            case .boolean(let flag): .bool(flag)
            case .timestamp(_, let text): .string(text)
            case .strings(let texts): .array(texts.map(JSONValue.string))
            }
        }
    }

    /// A parsed filter as the catalog evaluates it; built-in names (`lang`, `ingested_at`) map to the item's
    /// captions and creation time. Tests a built-in cannot answer are refused naming the field.
    static func catalogFilter(_ filter: SearchFilter) throws -> ItemFilter {
        switch filter {
        case .and(let parts): return .all(try parts.map(catalogFilter))
        case .or(let parts): return .any(try parts.map(catalogFilter))
        case .not(let inner): return .not(try catalogFilter(inner))
        case .condition(let field, let test):
            switch field {
            case "lang": return try languageFilter(test)
            case "ingested_at": return try ingestedFilter(test)
            default: return .field(field, fieldTest(test))
            }
        }
    }

    private static func fieldTest(_ test: FilterTest) -> ItemFieldTest {
        switch test {
        case .eq(let value): .equals(stored(value))
        case .in(let values): .oneOf(values.map(stored))
        case .range(let range):
            .range(
                range.catalogRange,
                onTimestamps: range.onTimestamps)
        case .exists(let present): .exists(present)
        }
    }

    private static func stored(_ value: FilterValue) -> ItemFieldValue {
        switch value {
        case .string(let text): RFC3339.seconds(text).map { .timestamp(seconds: $0, text: text) } ?? .string(text)
        case .number(let number): .number(number)
        case .bool(let flag): .boolean(flag)
        }
    }

    private static func languageFilter(_ test: FilterTest) throws -> ItemFilter {
        func language(_ value: FilterValue) throws -> String {
            guard case .string(let code) = value else {
                throw ServiceError.invalid(.invalidFilter, "filter on lang: languages are strings such as \"en\"")
            }
            return code
        }
        switch test {
        case .eq(let value): return .captionLanguage(in: [try language(value)])
        case .in(let values): return .captionLanguage(in: try values.map(language))
        case .exists(let present): return present ? .all([]) : .any([])  // every item has a caption
        case .range:
            throw ServiceError.invalid(.invalidFilter, "filter on lang: use eq, in or exists, not a range")
        }
    }

    private static func ingestedFilter(_ test: FilterTest) throws -> ItemFilter {
        switch test {
        case .range(let range) where range.onTimestamps:
            return .ingestedAt(
                range.catalogRange)
        case .eq(let value):
            guard let seconds = value.timestampSeconds else { break }
            return .ingestedAt(ItemFieldRange(atLeast: seconds, atMost: seconds))
        case .exists(let present):
            return present ? .all([]) : .any([])
        default: break
        }
        throw ServiceError.invalid(
            .invalidFilter, "filter on ingested_at: use gt, gte, lt, lte or eq with RFC 3339 timestamps")
    }
}

extension FilterRange {
    var catalogRange: ItemFieldRange {
        ItemFieldRange(
            greaterThan: Self.seconds(gt), atLeast: Self.seconds(gte), lessThan: Self.seconds(lt),
            atMost: Self.seconds(lte))
    }
}
