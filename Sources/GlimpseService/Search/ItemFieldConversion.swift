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
            case "photo.taken_at": return try photoFilter(.takenAt, field, test)
            case "photo.width": return try photoFilter(.width, field, test)
            case "photo.height": return try photoFilter(.height, field, test)
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

extension ItemFieldConversion {
    /// `photo.taken_at` takes timestamps, `photo.width`/`photo.height` numbers; `exists` asks whether the item has
    /// the fact at all (a photo without EXIF has a size but no capture time).
    fileprivate static func photoFilter(_ fact: PhotoFact, _ name: String, _ test: FilterTest) throws -> ItemFilter {
        let onTimestamps = fact == .takenAt
        func bound(_ value: FilterValue) -> Double? {
            switch value {
            case .number(let number) where !onTimestamps: number
            case .string where onTimestamps: value.timestampSeconds
            default: nil
            }
        }
        switch test {
        case .range(let range) where range.onTimestamps == onTimestamps:
            return .photo(fact, range.catalogRange)
        case .eq(let value):
            guard let at = bound(value) else { break }
            return .photo(fact, ItemFieldRange(atLeast: at, atMost: at))
        case .in(let values) where !onTimestamps:
            let bounds = values.compactMap(bound)
            guard bounds.count == values.count else { break }
            return .any(bounds.map { .photo(fact, ItemFieldRange(atLeast: $0, atMost: $0)) })
        case .exists(let present):
            return present ? .photo(fact, ItemFieldRange()) : .not(.photo(fact, ItemFieldRange()))
        default: break
        }
        let how =
            onTimestamps
            ? "use gt, gte, lt, lte or eq with RFC 3339 timestamps, or exists"
            : "use gt, gte, lt, lte, eq or in with numbers, or exists"
        throw ServiceError.invalid(.invalidFilter, "filter on \(name): \(how)")
    }

    /// Stored photo facts as the wire shows them.
    static func wire(_ photo: ItemPhotoFacts?) -> PhotoFactsResponse? {
        guard let photo else { return nil }
        return PhotoFactsResponse(
            takenAt: photo.takenAt.map { Date(timeIntervalSince1970: $0).formatted(.iso8601) },
            utcOffset: photo.utcOffset,
            width: photo.width, height: photo.height)
    }
}

extension FilterRange {
    var catalogRange: ItemFieldRange {
        ItemFieldRange(
            greaterThan: Self.seconds(gt), atLeast: Self.seconds(gte), lessThan: Self.seconds(lt),
            atMost: Self.seconds(lte))
    }
}
