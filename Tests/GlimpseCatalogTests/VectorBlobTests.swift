import Foundation
import GRDB
import GlimpseIndex
import GlimpseTestSupport
import Testing

@testable import GlimpseCatalog

/// The compact (float16) vector form of migration 0004, the float32 form it must keep reading, and the index
/// rebuilt from compact vectors.
@Suite struct VectorBlobTests {
    @Test func everyFloat16ValueRoundTripsThroughFloat32() {
        for bits in UInt16.min...UInt16.max {
            let value = HalfFloat.value(of: bits)
            if value.isNaN {
                #expect(HalfFloat.bits(of: value) & 0x7C00 == 0x7C00 && HalfFloat.bits(of: value) & 0x3FF != 0)
            } else {
                #expect(HalfFloat.bits(of: value) == bits, "bits \(String(bits, radix: 16))")
            }
        }
        #expect(HalfFloat.bits(of: 1) == 0x3C00)
        #expect(HalfFloat.bits(of: -2) == 0xC000)
        #expect(HalfFloat.bits(of: 65504) == 0x7BFF)
        #expect(HalfFloat.bits(of: 65520) == 0x7C00, "rounds past the largest finite value to infinity")
        #expect(HalfFloat.bits(of: 0x1p-24) == 0x0001, "smallest subnormal")
        #expect(HalfFloat.bits(of: 0x1p-26) == 0x0000, "below half the smallest subnormal flushes to zero")
        // 1 + 2^-11 is halfway between 1 and 1 + 2^-10: ties go to the even mantissa (1).
        #expect(HalfFloat.bits(of: 1 + 0x1p-11) == 0x3C00)
        #expect(HalfFloat.bits(of: 1 + 3 * 0x1p-11) == 0x3C02)
    }

    @Test func unitVectorsAreStoredAsFloat16AndDecodeWithinCosine0_9999() throws {
        var generator = SeededGenerator(seed: 7)
        for _ in 0..<200 {
            let vector = randomUnitVector(dimension: 384, using: &generator)
            let blob = VectorBlob.encode(vector)
            #expect(blob.count == 384 * 2 + 1)
            #expect(blob.first == VectorBlob.float16Tag)
            let decoded = try #require(VectorBlob.decode(blob, dimension: 384))
            #expect(preciseCosine(vector, decoded) >= 0.9999)
            #expect(zip(vector, decoded).allSatisfy { abs($0 - $1) <= 0x1p-11 * max(abs($0), 0x1p-14) })
        }
    }

    @Test func blobsOfTheWrongLengthOrTagDoNotDecode() {
        let blob = VectorBlob.encode([0.5, -0.25, 1, 0])
        #expect(blob.count == 9)
        #expect(VectorBlob.decode(blob, dimension: 4) == [0.5, -0.25, 1, 0])
        var wrongTag = blob
        wrongTag[0] = 0x11
        #expect(VectorBlob.decode(wrongTag, dimension: 4) == nil)
        #expect(VectorBlob.decode(blob.dropLast(), dimension: 4) == nil)
        #expect(VectorBlob.decode(blob, dimension: 3) == nil)
        #expect(VectorBlob.decode(blob, dimension: 0) == nil)
        #expect(VectorBlob.decode(VectorBlob.encodeFloat32([1, 2]), dimension: 2) == [1, 2])
    }

    @Test func vectorsFloat16WouldDistortFallBackToFloat32() throws {
        // Overflow, and a vector whose components are all far below float16's normal range.
        for vector: [Float] in [[70_000, 1, 0, 0], [1e-9, -3e-9, 2e-9, 5e-10]] {
            let blob = VectorBlob.encode(vector)
            #expect(blob.count == vector.count * 4)
            #expect(VectorBlob.decode(blob, dimension: vector.count) == vector)
        }
    }

    @Test func theCatalogWritesFloat16OnEveryPathAndReadsLegacyFloat32Rows() throws {
        let directory = try ScratchDirectory("catalog")
        defer { directory.remove() }
        let catalog = try Catalog(CatalogConfiguration(path: directory.databasePath))
        let vector: [Float] = [0.5, -0.5, 0.5, -0.5]
        let upserted = try catalog.upsertItem(
            newItem("a"), vectors: [NewVector(space: "s", source: .caption, captionLanguage: "en", vector: vector)]
        ).newIDs
        let bulk = try catalog.bulkInsertNewItems([
            (newItem("b"), [NewVector(space: "s", source: .caption, captionLanguage: "en", vector: vector)])
        ])
        // A row written before migration 0004: float32, no tag. Its exact values must come back unchanged.
        let legacy: [Float] = [0.1, 0.2, 0.3, 0.4]
        let legacyID = try catalog.pool.write { db -> Int64 in
            try db.execute(
                sql: """
                    INSERT INTO vectors (item_id, space, source, caption_language, dimension, vector, created_at)
                    VALUES ((SELECT id FROM items WHERE external_id = 'a'), 's', 'caption', 'fr', 4, ?, '2026-01-01')
                    """,
                arguments: [VectorBlob.encodeFloat32(legacy)])
            return db.lastInsertedRowID
        }
        let lengths = try catalog.pool.read { db in
            try Int.fetchAll(db, sql: "SELECT length(vector) FROM vectors ORDER BY id")
        }
        #expect(lengths == [9, 9, 16])
        let stored = try catalog.vectors(space: "s", after: 0, limit: 10)
        #expect(stored.map(\.id) == upserted + bulk + [legacyID])
        #expect(stored.map(\.vector) == [vector, vector, legacy])
        let owners = try catalog.hits(vectorIDs: [legacyID, bulk[0]], includingVectors: true)
        #expect(owners[legacyID]?.vector?.map(\.bitPattern) == legacy.map(\.bitPattern))
        #expect(owners[bulk[0]]?.vector == vector)
    }

    @Test func migration0004KeepsRowsBlobsAndTheIDCounter() throws {
        let directory = try ScratchDirectory("catalog")
        defer { directory.remove() }
        let configuration = CatalogConfiguration(path: directory.databasePath)
        let before = Array(Migration.all.prefix { $0.name < "0004" })
        #expect(before.count == 3)
        let old = try Catalog(configuration, migrations: before)
        // Rows as the former schema's writers stored them: float32 blobs (that schema refuses any other length).
        let ids = try old.pool.write { db -> [Int64] in
            try db.execute(
                sql: """
                    INSERT INTO items (external_id, image_path, content_hash, created_at, updated_at)
                    VALUES ('a', '/p/a.jpg', 'h', '2026-01-01', '2026-01-01')
                    """)
            let itemID = db.lastInsertedRowID
            return try [1, 2, 3].map { seed -> Int64 in
                try db.execute(
                    sql: """
                        INSERT INTO vectors (item_id, space, source, caption_language, dimension, vector, created_at)
                        VALUES (?, 'test-space', 'caption', 'en', 4, ?, '2026-01-01')
                        """,
                    arguments: [itemID, VectorBlob.encodeFloat32(captionVector(Float(seed)).vector)])
                return db.lastInsertedRowID
            }
        }
        let oldBlobs = try old.pool.read { db in try Data.fetchAll(db, sql: "SELECT vector FROM vectors ORDER BY id") }
        #expect(oldBlobs.allSatisfy { $0.count == 16 })
        // The highest id is purged, so the counter is above max(id) and must stay there.
        try old.pool.write { db in try db.execute(sql: "DELETE FROM vectors WHERE id = ?", arguments: [ids[2]]) }
        let migrated = try Catalog(configuration)
        #expect(try migrated.appliedMigrations() == Migration.all.map(\.name))
        let newBlobs = try migrated.pool.read { db in
            try Data.fetchAll(db, sql: "SELECT vector FROM vectors ORDER BY id")
        }
        #expect(newBlobs == Array(oldBlobs.prefix(2)))
        #expect(try migrated.vectors(space: "test-space", after: 0, limit: 10).map(\.id) == Array(ids.prefix(2)))
        let next = try migrated.upsertItem(newItem("b"), vectors: [captionVector(4)]).newIDs
        #expect(next.allSatisfy { $0 > ids[2] }, "a purged id is not handed out again")
        let indexes = try migrated.pool.read { db in
            try Set(
                String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'vectors'")
            )
        }
        #expect(indexes.isSuperset(of: ["vectors_live_by_space", "vectors_tombstoned_by_space", "vectors_by_item"]))
        #expect(try migrated.scalar("SELECT count(*) FROM sqlite_master WHERE name = 'vectors_0004'") == 0)
    }

    /// The catalog is what an index is rebuilt from: an index built from the float16 vectors read back must answer
    /// each item's own vector as an index of the original float32 vectors does.
    @Test func anIndexRebuiltFromCompactCatalogVectorsFindsTheSameNeighbours() throws {
        let directory = try ScratchDirectory("catalog")
        defer { directory.remove() }
        let catalog = try Catalog(CatalogConfiguration(path: directory.databasePath))
        var generator = SeededGenerator(seed: 11)
        let count = 2_000
        let dimension = 384
        let originals = (0..<count).map { _ in randomUnitVector(dimension: dimension, using: &generator) }
        let ids = try catalog.bulkInsertNewItems(
            originals.enumerated().map { index, vector in
                (
                    newItem("item-\(index)"),
                    [NewVector(space: "s", source: .caption, captionLanguage: "en", vector: vector)]
                )
            })
        var replayed: [StoredVector] = []
        while true {
            let page = try catalog.vectors(space: "s", after: replayed.last?.id ?? 0, limit: 500)
            guard !page.isEmpty else { break }
            replayed += page
        }
        #expect(replayed.map(\.id) == ids)
        for (original, stored) in zip(originals, replayed) { #expect(preciseCosine(original, stored.vector) >= 0.9999) }

        let parameters = HNSWParameters(m: 16, efConstruction: 100, efSearchDefault: 64, efSearchMax: 256)
        let fromOriginals = try HNSWIndex(dimension: dimension, parameters: parameters)
        try fromOriginals.add(ids: ids, vectors: originals.flatMap { $0 })
        let rebuilt = try HNSWIndex(dimension: dimension, parameters: parameters)
        try rebuilt.add(ids: replayed.map(\.id), vectors: replayed.flatMap(\.vector))
        var agreeing = 0
        for (id, query) in zip(ids, originals) {
            let expected = try fromOriginals.search(query, k: 10, ef: 64).map(\.id)
            let found = try rebuilt.search(query, k: 10, ef: 64).map(\.id)
            #expect(found.first == id, "an item's own vector finds it first")
            agreeing += Set(expected).intersection(found).count
        }
        // Both graphs are approximate (and built by several threads), so a rare neighbour at rank 10 may differ.
        #expect(Double(agreeing) / Double(count * 10) >= 0.99)
    }
}

/// A small deterministic generator (SplitMix64) so failures reproduce.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

func randomUnitVector(dimension: Int, using generator: inout SeededGenerator) -> [Float] {
    let raw = (0..<dimension).map { _ in Float.random(in: -1...1, using: &generator) }
    let norm = raw.reduce(0) { $0 + $1 * $1 }.squareRoot()
    return raw.map { $0 / norm }
}
