import Foundation
import GRDB

/// Item fields (`item_fields`, migration 0005) and filters over items compiled to SQL.
extension Catalog {
    /// Replaces the item's fields with `fields` (inside the caller's transaction).
    static func writeFields(_ db: Database, itemID: Int64, fields: [String: ItemFieldValue]) throws {
        try db.execute(sql: "DELETE FROM item_fields WHERE item_id = ?", arguments: [itemID])
        let insert = """
            INSERT INTO item_fields (item_id, name, position, kind, text_value, number_value) VALUES (?, ?, ?, ?, ?, ?)
            """
        for (name, value) in fields {
            switch value {
            case .string(let text):
                try db.execute(sql: insert, arguments: [itemID, name, 0, "string", text, nil])
            case .number(let number):
                try db.execute(sql: insert, arguments: [itemID, name, 0, "number", nil, number])
            case .boolean(let flag):
                try db.execute(sql: insert, arguments: [itemID, name, 0, "boolean", nil, flag ? 1.0 : 0.0])
            case .timestamp(let seconds, let text):
                try db.execute(sql: insert, arguments: [itemID, name, 0, "timestamp", text, seconds])
            case .strings(let texts):
                // An empty array still has a row, so `exists` sees the field and it reads back as [].
                if texts.isEmpty {
                    try db.execute(sql: insert, arguments: [itemID, name, -1, "strings", nil, nil])
                }
                for (position, text) in texts.enumerated() {
                    try db.execute(sql: insert, arguments: [itemID, name, position, "strings", text, nil])
                }
            }
        }
    }

    /// The fields of the given items (by catalog row id), each item's by name.
    static func fields(_ db: Database, itemIDs: some Collection<Int64>) throws -> [Int64: [String: ItemFieldValue]] {
        var fields: [Int64: [String: ItemFieldValue]] = [:]
        for chunk in chunked(Array(itemIDs)) {
            let rows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT item_id, name, kind, text_value, number_value FROM item_fields
                    WHERE item_id IN \(placeholders(chunk.count)) ORDER BY item_id, name, position
                    """,
                arguments: StatementArguments(chunk))
            while let row = try rows.next() {
                let itemID: Int64 = try row.decode(atIndex: 0)
                let name: String = try row.decode(atIndex: 1)
                let text: String? = try row.decode(atIndex: 3)
                let number: Double? = try row.decode(atIndex: 4)
                let value: ItemFieldValue? =
                    switch try row.decode(String.self, atIndex: 2) {
                    case "string": text.map { .string($0) }
                    case "number": number.map { .number($0) }
                    case "boolean": number.map { .boolean($0 != 0) }
                    case "timestamp":
                        if let number, let text { .timestamp(seconds: number, text: text) } else { nil }
                    case "strings":
                        if case .strings(let earlier) = fields[itemID]?[name] {
                            .strings(earlier + (text.map { [$0] } ?? []))
                        } else {
                            .strings(text.map { [$0] } ?? [])
                        }
                    default: nil
                    }
                if let value { fields[itemID, default: [:]][name] = value }
            }
        }
        return fields
    }

    /// The fields of items by external id; items without fields are absent.
    public func fields(externalIDs: some Collection<String>) throws -> [String: [String: ItemFieldValue]] {
        guard !externalIDs.isEmpty else { return [:] }
        return try pool.read { db in
            var byRowID: [Int64: String] = [:]
            let unique = Array(Set(externalIDs))
            for start in stride(from: 0, to: unique.count, by: 500) {
                let chunk = unique[start..<min(start + 500, unique.count)]
                let rows = try Row.fetchAll(
                    db, sql: "SELECT id, external_id FROM items WHERE external_id IN \(Self.placeholders(chunk.count))",
                    arguments: StatementArguments(chunk))
                for row in rows { byRowID[try row.decode(atIndex: 0)] = try row.decode(atIndex: 1) }
            }
            var result: [String: [String: ItemFieldValue]] = [:]
            for (rowID, fields) in try Self.fields(db, itemIDs: byRowID.keys) {
                result[byRowID[rowID]!] = fields
            }
            return result
        }
    }

    /// The photo facts of items by external id; items without facts are absent.
    public func photoFacts(externalIDs: some Collection<String>) throws -> [String: ItemPhotoFacts] {
        guard !externalIDs.isEmpty else { return [:] }
        return try pool.read { db in
            var result: [String: ItemPhotoFacts] = [:]
            let unique = Array(Set(externalIDs))
            for start in stride(from: 0, to: unique.count, by: 500) {
                let chunk = unique[start..<min(start + 500, unique.count)]
                let rows = try Row.fetchAll(
                    db,
                    sql: """
                        SELECT external_id, photo_taken_at, photo_utc_offset, photo_width, photo_height FROM items
                        WHERE external_id IN \(Self.placeholders(chunk.count)) AND photo_width IS NOT NULL
                        """,
                    arguments: StatementArguments(chunk))
                for row in rows {
                    if let facts = try ItemPhotoFacts.read(row) { result[try row.decode(atIndex: 0)] = facts }
                }
            }
            return result
        }
    }

    /// Ids of the live vectors of `space` whose items match `filter`: the allowed set of a filtered index search.
    public func liveVectorIDs(space: String, matching filter: ItemFilter) throws -> Set<Int64> {
        let condition = FilterSQL.compile(filter)
        return try pool.read { db in
            try Int64.fetchSet(
                db,
                sql: """
                    SELECT vectors.id FROM vectors JOIN items ON items.id = vectors.item_id
                    WHERE vectors.space = ? AND vectors.tombstoned_at IS NULL AND (\(condition.sql))
                    """,
                arguments: StatementArguments([space.databaseValue] + condition.arguments))
        }
    }

    /// How many items match `filter` (nil: all items).
    public func countItems(matching filter: ItemFilter?) throws -> Int {
        let condition = filter.map(FilterSQL.compile) ?? FilterSQL(sql: "1", arguments: [])
        return try pool.read { db in
            try Int.fetchOne(
                db, sql: "SELECT count(*) FROM items WHERE \(condition.sql)",
                arguments: StatementArguments(condition.arguments)) ?? 0
        }
    }

    /// A page of the items matching `filter` (nil: all), in catalog order after the row id `after`, with their
    /// row ids so the caller can ask for the next page. Items inserted while paging come later in the order, so
    /// a walk with these row ids sees every item that existed when it began exactly once.
    public func items(matching filter: ItemFilter?, after: Int64, limit: Int) throws -> [(
        rowID: Int64, item: ItemRecord
    )] {
        guard limit > 0 else { return [] }
        let condition = filter.map(FilterSQL.compile) ?? FilterSQL(sql: "1", arguments: [])
        return try pool.read { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT items.*,
                        (SELECT count(*) FROM vectors WHERE item_id = items.id AND tombstoned_at IS NULL) AS live
                    FROM items WHERE items.id > ? AND (\(condition.sql)) ORDER BY items.id LIMIT ?
                    """,
                arguments: StatementArguments([after.databaseValue] + condition.arguments + [limit.databaseValue]))
            let ids = try rows.map { try $0.decode(Int64.self, forColumn: "id") }
            let captions = try Self.captions(db, itemIDs: ids)
            let automatic = try Self.automaticCaptionLanguages(db, itemIDs: ids)
            let fields = try Self.fields(db, itemIDs: ids)
            return try zip(ids, rows).map { id, row in
                (
                    id,
                    ItemRecord(
                        externalID: try row.decode(forColumn: "external_id"),
                        imagePath: try row.decode(forColumn: "image_path"),
                        contentHash: try row.decode(forColumn: "content_hash"), captions: captions[id] ?? [:],
                        liveVectorCount: try row.decode(forColumn: "live"),
                        createdAt: try row.decode(forColumn: "created_at"),
                        updatedAt: try row.decode(forColumn: "updated_at"), fields: fields[id] ?? [:],
                        photo: try ItemPhotoFacts.read(row)
                    ).with(automaticCaptionLanguages: automatic[id] ?? [])
                )
            }
        }
    }

    /// Deletes every item matching `filter` in one transaction, as `deleteItem` does one: returns the external
    /// ids deleted and their tombstoned vector ids (ascending), for the indexes to drop.
    public func deleteItems(matching filter: ItemFilter) throws -> (externalIDs: [String], tombstoned: [Int64]) {
        let condition = FilterSQL.compile(filter)
        defer { languageSumsMayHaveChanged() }
        return try pool.write { db in
            let rows = try Row.fetchAll(
                db, sql: "SELECT id, external_id FROM items WHERE \(condition.sql) ORDER BY id",
                arguments: StatementArguments(condition.arguments))
            var sums = LanguageSumChanges()
            var tombstoned: [Int64] = []
            let now = Date()
            var externalIDs: [String] = []
            for row in rows {
                let itemID: Int64 = try row.decode(atIndex: 0)
                tombstoned += try Self.tombstoneLiveVectors(db, itemID: itemID, at: now, sums: &sums)
                try db.execute(sql: "DELETE FROM items WHERE id = ?", arguments: [itemID])
                externalIDs.append(try row.decode(atIndex: 1))
            }
            try sums.write(db)
            return (externalIDs, tombstoned.sorted())
        }
    }

    /// The item's live vectors per space (ids and values), for "more like this"; nil when there is no such item.
    public func liveVectors(ofItem externalID: String) throws -> [String: [StoredVector]]? {
        try pool.read { db in
            guard
                let itemID = try Int64.fetchOne(
                    db, sql: "SELECT id FROM items WHERE external_id = ?", arguments: [externalID])
            else { return nil }
            var bySpace: [String: [StoredVector]] = [:]
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT id, space, dimension, vector FROM vectors
                    WHERE item_id = ? AND tombstoned_at IS NULL ORDER BY id
                    """,
                arguments: [itemID])
            for row in rows {
                let dimension: Int = try row.decode(atIndex: 2)
                let vector = try row.withUnsafeData(atIndex: 3) { blob in
                    blob.flatMap { VectorBlob.decode($0, dimension: dimension) } ?? []
                }
                guard !vector.isEmpty else { continue }
                bySpace[try row.decode(atIndex: 1), default: []].append(
                    StoredVector(id: try row.decode(atIndex: 0), vector: vector))
            }
            return bySpace
        }
    }
}

/// An `ItemFilter` as an SQL condition on the `items` table (aliased `items`), with its arguments in order.
struct FilterSQL {
    var sql: String
    var arguments: [DatabaseValue]

    static func compile(_ filter: ItemFilter) -> FilterSQL {
        switch filter {
        case .all(let parts):
            return join(parts.map(compile), with: "AND", empty: "1")
        case .any(let parts):
            return join(parts.map(compile), with: "OR", empty: "0")
        case .not(let inner):
            let compiled = compile(inner)
            return FilterSQL(sql: "NOT (\(compiled.sql))", arguments: compiled.arguments)
        case .captionLanguage(let languages):
            guard !languages.isEmpty else { return FilterSQL(sql: "0", arguments: []) }
            return FilterSQL(
                sql: """
                    EXISTS (SELECT 1 FROM captions WHERE captions.item_id = items.id \
                    AND captions.language IN \(Catalog.placeholders(languages.count)))
                    """,
                arguments: languages.map(\.databaseValue))
        case .ingestedAt(let range):
            // created_at is GRDB's UTC text "YYYY-MM-DD HH:MM:SS.SSS", which orders as the time does.
            var parts: [String] = []
            var arguments: [DatabaseValue] = []
            for (bound, comparison) in [
                (range.greaterThan, ">"), (range.atLeast, ">="), (range.lessThan, "<"), (range.atMost, "<="),
            ] {
                guard let bound else { continue }
                parts.append("items.created_at \(comparison) ?")
                arguments.append(Date(timeIntervalSince1970: bound).databaseValue)
            }
            return FilterSQL(sql: parts.isEmpty ? "1" : parts.joined(separator: " AND "), arguments: arguments)
        case .photo(let fact, let range):
            // No bounds: the fact is present (`exists`).
            var parts = ["items.\(fact.rawValue) IS NOT NULL"]
            var arguments: [DatabaseValue] = []
            for (bound, comparison) in [
                (range.greaterThan, ">"), (range.atLeast, ">="), (range.lessThan, "<"), (range.atMost, "<="),
            ] {
                guard let bound else { continue }
                parts.append("items.\(fact.rawValue) \(comparison) ?")
                arguments.append(bound.databaseValue)
            }
            return FilterSQL(sql: parts.joined(separator: " AND "), arguments: arguments)
        case .field(let name, let test):
            return field(name, test)
        }
    }

    private static func field(_ name: String, _ test: ItemFieldTest) -> FilterSQL {
        let prefix = "EXISTS (SELECT 1 FROM item_fields f WHERE f.item_id = items.id AND f.name = ?"
        switch test {
        case .exists(let present):
            return FilterSQL(sql: (present ? "" : "NOT ") + prefix + ")", arguments: [name.databaseValue])
        case .equals(let value):
            let match = matches(value)
            return FilterSQL(sql: "\(prefix) AND (\(match.sql)))", arguments: [name.databaseValue] + match.arguments)
        case .oneOf(let values):
            let matches = join(values.map(matches), with: "OR", empty: "0")
            return FilterSQL(
                sql: "\(prefix) AND (\(matches.sql)))", arguments: [name.databaseValue] + matches.arguments)
        case .range(let range, let onTimestamps):
            var sql = "\(prefix) AND f.kind = '\(onTimestamps ? "timestamp" : "number")'"
            var arguments: [DatabaseValue] = [name.databaseValue]
            for (bound, comparison) in [
                (range.greaterThan, ">"), (range.atLeast, ">="), (range.lessThan, "<"), (range.atMost, "<="),
            ] {
                guard let bound else { continue }
                sql += " AND f.number_value \(comparison) ?"
                arguments.append(bound.databaseValue)
            }
            return FilterSQL(sql: sql + ")", arguments: arguments)
        }
    }

    /// The row condition for one value: a string matches a string, an element of an array of strings, or the
    /// spelling of a timestamp; a timestamp also matches the same instant spelt otherwise.
    private static func matches(_ value: ItemFieldValue) -> FilterSQL {
        switch value {
        case .string(let text):
            FilterSQL(
                sql: "f.kind IN ('string', 'strings', 'timestamp') AND f.text_value = ?",
                arguments: [text.databaseValue])
        case .number(let number):
            FilterSQL(sql: "f.kind = 'number' AND f.number_value = ?", arguments: [number.databaseValue])
        case .boolean(let flag):
            FilterSQL(sql: "f.kind = 'boolean' AND f.number_value = ?", arguments: [(flag ? 1.0 : 0.0).databaseValue])
        case .timestamp(let seconds, let text):
            FilterSQL(
                sql: """
                    (f.kind = 'timestamp' AND f.number_value = ?) OR (f.kind IN ('string', 'strings') AND f.text_value = ?)
                    """,
                arguments: [seconds.databaseValue, text.databaseValue])
        case .strings(let texts):
            join(texts.map { matches(.string($0)) }, with: "OR", empty: "0")
        }
    }

    private static func join(_ parts: [FilterSQL], with connective: String, empty: String) -> FilterSQL {
        guard !parts.isEmpty else { return FilterSQL(sql: empty, arguments: []) }
        return FilterSQL(
            sql: parts.map { "(\($0.sql))" }.joined(separator: " \(connective) "),
            arguments: parts.flatMap(\.arguments))
    }
}
