import Foundation
import GRDB

/// The running sum and count of one caption language's live caption vectors of one dimension in one space: what
/// per-language centring needs, kept by the writes themselves so it never needs a pass over the vectors.
public struct LanguageSum: Sendable, Equatable {
    public var space: String
    public var language: String
    public var dimension: Int
    public var count: Int
    /// Float64 so that many additions and subtractions do not drift from a fresh sum.
    public var sum: [Double]

    public init(space: String, language: String, dimension: Int, count: Int, sum: [Double]) {
        self.space = space
        self.language = language
        self.dimension = dimension
        self.count = count
        self.sum = sum
    }

    /// sum / count.
    public var mean: [Float] {
        let divisor = Double(max(1, count))
        return sum.map { Float($0 / divisor) }
    }
}

extension Catalog {
    /// The language sums of `space` (every dimension), in one small read.
    public func languageSums(space: String) throws -> [LanguageSum] {
        try pool.read { db in
            try Row.fetchAll(
                db, sql: "SELECT language, dimension, count, sum FROM language_sums WHERE space = ? ORDER BY language",
                arguments: [space]
            ).compactMap { row in
                let dimension = try row.decode(Int.self, atIndex: 1)
                guard let sum = Float64Blob.decode(try row.decode(Data.self, atIndex: 3), dimension: dimension)
                else { return nil }
                return LanguageSum(
                    space: space, language: try row.decode(atIndex: 0), dimension: dimension,
                    count: try row.decode(atIndex: 2), sum: sum)
            }
        }
    }

    /// Grows after every write that may have changed the language sums (after its commit), so a reader that cached
    /// sums read at an older value knows to read them again. Counts this instance's writes only: the daemon is the
    /// only writer of its catalog (data-directory lock).
    public var languageSumsGeneration: Int { sumsGeneration.load(ordering: .acquiring) }

    func languageSumsMayHaveChanged() { sumsGeneration.add(1, ordering: .releasing) }

    /// Live vectors decoded by `vectors(space:after:limit:)` and `hits(vectorIDs:includingVectors:)` since this
    /// catalog was opened: tells tests (and status) whether something read every vector.
    public var vectorsRead: Int { decodedVectors.load(ordering: .relaxed) }

    func countVectorsRead(_ count: Int) { decodedVectors.add(count, ordering: .relaxed) }
}

/// The changes one write transaction makes to the language sums, applied in that transaction by `write`.
struct LanguageSumChanges {
    private struct Key: Hashable {
        var space: String
        var language: String
        var dimension: Int
    }
    private var changes: [Key: (count: Int, sum: [Double])] = [:]

    /// Counts a caption vector being inserted live.
    mutating func add(space: String, language: String, vector: [Float]) {
        // The values as stored (float16 rounds them), so that counting the vector out later, from its blob,
        // subtracts exactly what was added.
        change(
            Key(space: space, language: language, dimension: vector.count), vector: VectorBlob.storedValues(vector),
            sign: 1)
    }

    /// Counts out the live caption vectors among `ids` that are about to be tombstoned; call it before the UPDATE.
    mutating func subtractLive(_ db: Database, ids: some Collection<Int64>) throws {
        for chunk in Catalog.chunked(Array(ids)) {
            let rows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT space, caption_language, dimension, vector FROM vectors
                    WHERE id IN \(Catalog.placeholders(chunk.count)) AND tombstoned_at IS NULL
                        AND item_id IS NOT NULL AND source = 'caption'
                    """,
                arguments: StatementArguments(chunk))
            while let row = try rows.next() {
                let dimension = try row.decode(Int.self, atIndex: 2)
                // A damaged row was never counted in (see the migration's backfill), so it is not counted out.
                guard let vector = VectorBlob.decode(try row.decode(Data.self, atIndex: 3), dimension: dimension),
                    vector.allSatisfy(\.isFinite)
                else { continue }
                change(
                    Key(space: try row.decode(atIndex: 0), language: try row.decode(atIndex: 1), dimension: dimension),
                    vector: vector, sign: -1)
            }
        }
    }

    private mutating func change(_ key: Key, vector: [Float], sign: Double) {
        var entry = changes[key] ?? (0, [Double](repeating: 0, count: key.dimension))
        entry.count += Int(sign)
        for i in vector.indices { entry.sum[i] += sign * Double(vector[i]) }
        changes[key] = entry
    }

    /// Adds the changes to the stored rows; a row whose count reaches 0 is deleted (its sum is rounding only).
    func write(_ db: Database) throws {
        for (key, change) in changes where change.count != 0 || change.sum.contains(where: { $0 != 0 }) {
            let stored = try Row.fetchOne(
                db, sql: "SELECT count, sum FROM language_sums WHERE space = ? AND language = ? AND dimension = ?",
                arguments: [key.space, key.language, key.dimension])
            var count = change.count
            var sum = change.sum
            if let stored,
                let old = Float64Blob.decode(try stored.decode(Data.self, atIndex: 1), dimension: key.dimension)
            {
                count += try stored.decode(Int.self, atIndex: 0)
                for i in sum.indices { sum[i] += old[i] }
            }
            if count <= 0 {
                try db.execute(
                    sql: "DELETE FROM language_sums WHERE space = ? AND language = ? AND dimension = ?",
                    arguments: [key.space, key.language, key.dimension])
            } else {
                try db.execute(
                    sql: """
                        INSERT OR REPLACE INTO language_sums (space, language, dimension, count, sum)
                        VALUES (?, ?, ?, ?, ?)
                        """,
                    arguments: [key.space, key.language, key.dimension, count, Float64Blob.encode(sum)])
            }
        }
    }
}

/// Language sums are stored as little-endian IEEE-754 float64 blobs, 8 bytes per dimension.
enum Float64Blob {
    static func encode(_ values: [Double]) -> Data {
        var data = Data(capacity: values.count * 8)
        for value in values {
            withUnsafeBytes(of: value.bitPattern.littleEndian) { data.append(contentsOf: $0) }
        }
        return data
    }

    static func decode(_ blob: Data, dimension: Int) -> [Double]? {
        guard dimension > 0, blob.count == dimension * 8 else { return nil }
        return blob.withUnsafeBytes { raw in
            (0..<dimension).map { position in
                Double(
                    bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: position * 8, as: UInt64.self)))
            }
        }
    }
}

/// The SQL functions the 0003 migration's backfill uses to sum float32 vector blobs, registered on the migrating
/// connection.
enum LanguageSumFunctions {
    /// glimpse_float32_valid(blob, dimension): 1 when the blob is `dimension` finite float32 values.
    static let valid = DatabaseFunction("glimpse_float32_valid", argumentCount: 2, pure: true) { values in
        guard let blob = Data.fromDatabaseValue(values[0]), let dimension = Int.fromDatabaseValue(values[1]),
            let vector = VectorBlob.decode(blob, dimension: dimension)
        else { return false }
        return vector.allSatisfy(\.isFinite)
    }

    /// glimpse_float32_sum(blob, dimension): the float64 blob of the sum of the vectors (rows that do not decode
    /// are skipped; filter them with glimpse_float32_valid so count(*) agrees).
    static let sum = DatabaseFunction("glimpse_float32_sum", argumentCount: 2, pure: true, aggregate: Sum.self)

    struct Sum: DatabaseAggregate {
        var sum: [Double] = []

        mutating func step(_ values: [DatabaseValue]) throws {
            guard let blob = Data.fromDatabaseValue(values[0]), let dimension = Int.fromDatabaseValue(values[1]),
                let vector = VectorBlob.decode(blob, dimension: dimension)
            else { return }
            if sum.isEmpty { sum = [Double](repeating: 0, count: dimension) }
            guard sum.count == dimension else { return }
            for i in vector.indices { sum[i] += Double(vector[i]) }
        }

        func finalize() throws -> (any DatabaseValueConvertible)? { Float64Blob.encode(sum) }
    }
}
