import Foundation
import GRDB
import GlimpseTestSupport
import Testing

@testable import GlimpseCatalog

/// The catalog keeps, per space, language and dimension, the sum and count of the live caption vectors, in the same
/// transaction as the writes that change them.
@Suite struct LanguageSumTests {
    /// The sums recomputed from scratch from the live caption vectors, keyed "space|language|dimension".
    private func freshSums(_ catalog: Catalog) throws -> [String: (count: Int, sum: [Double])] {
        try catalog.pool.read { db in
            var sums: [String: (count: Int, sum: [Double])] = [:]
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT space, caption_language, dimension, vector FROM vectors
                    WHERE tombstoned_at IS NULL AND item_id IS NOT NULL AND source = 'caption'
                    """)
            for row in rows {
                let dimension: Int = row[2]
                guard let vector = VectorBlob.decode(row[3], dimension: dimension), vector.allSatisfy(\.isFinite)
                else { continue }
                let key = "\(row[0] as String)|\(row[1] as String)|\(dimension)"
                var entry = sums[key] ?? (0, [Double](repeating: 0, count: dimension))
                entry.count += 1
                for i in vector.indices { entry.sum[i] += Double(vector[i]) }
                sums[key] = entry
            }
            return sums
        }
    }

    private func storedSums(_ catalog: Catalog, spaces: [String]) throws -> [String: (count: Int, sum: [Double])] {
        var sums: [String: (count: Int, sum: [Double])] = [:]
        for space in spaces {
            for row in try catalog.languageSums(space: space) {
                sums["\(row.space)|\(row.language)|\(row.dimension)"] = (row.count, row.sum)
            }
        }
        return sums
    }

    private func expectMatch(
        _ stored: [String: (count: Int, sum: [Double])], _ fresh: [String: (count: Int, sum: [Double])],
        tolerance: Double = 1e-6, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(stored.keys.sorted() == fresh.keys.sorted(), sourceLocation: sourceLocation)
        for (key, expected) in fresh {
            guard let actual = stored[key] else { continue }
            #expect(actual.count == expected.count, "\(key)", sourceLocation: sourceLocation)
            let difference = zip(actual.sum, expected.sum).map { abs($0 - $1) }.max() ?? .infinity
            #expect(difference <= tolerance, "\(key): sums differ by \(difference)", sourceLocation: sourceLocation)
        }
    }

    private func vector(_ generator: inout TestRandom, dimension: Int = 8) -> [Float] {
        (0..<dimension).map { _ in generator.nextValue() }
    }

    @Test func sumsFollowInsertsUpdatesDeletesReplacementsAndTombstonesExactly() throws {
        let directory = try ScratchDirectory("catalog")
        defer { directory.remove() }
        let catalog = try Catalog(CatalogConfiguration(path: directory.databasePath))
        var generator = TestRandom(seed: 7)
        let languages = ["en", "zh", "fr"]
        var live: [String] = []
        for step in 0..<600 {
            let choice = Int(generator.next() % 10)
            if choice < 5 || live.isEmpty {
                let id = "item-\(step)"
                let language = languages[Int(generator.next() % 3)]
                let vectors = [
                    NewVector(space: "s", source: .caption, captionLanguage: language, vector: vector(&generator)),
                    NewVector(space: "s", source: .caption, captionLanguage: "en", vector: vector(&generator)),
                    NewVector(space: "s", source: .image, captionLanguage: nil, vector: vector(&generator)),
                    NewVector(
                        space: "t", source: .caption, captionLanguage: language,
                        vector: vector(&generator, dimension: 3)),
                ]
                _ = try catalog.upsertItem(newItem(id), vectors: vectors)
                live.append(id)
            } else if choice < 7 {
                let id = live[Int(generator.next() % UInt64(live.count))]
                _ = try catalog.upsertItem(
                    newItem(id, hash: "h\(step)"),
                    vectors: [
                        NewVector(space: "s", source: .caption, captionLanguage: "zh", vector: vector(&generator))
                    ])
            } else if choice < 9 {
                let id = live.remove(at: Int(generator.next() % UInt64(live.count)))
                #expect(try catalog.deleteItem(externalID: id) != nil)
            } else {
                let page = try catalog.vectors(space: "s", after: 0, limit: 1_000)
                let picked = page[Int(generator.next() % UInt64(page.count))].id
                if generator.next() % 2 == 0 {
                    _ = try catalog.replaceVectors([(oldID: picked, vector: vector(&generator))])
                } else {
                    _ = try catalog.tombstoneVectors([picked])
                }
            }
        }
        let fresh = try freshSums(catalog)
        #expect(fresh.count == 6, "three languages in two spaces")
        expectMatch(try storedSums(catalog, spaces: ["s", "t"]), fresh)
        let mean = try #require(try catalog.languageSums(space: "s").first { $0.language == "en" })
        let expected = try #require(fresh["s|en|8"])
        #expect(mean.mean == expected.sum.map { Float($0 / Double(expected.count)) })
    }

    @Test func deletingTheLastVectorOfALanguageRemovesItsRow() throws {
        let directory = try ScratchDirectory("catalog")
        defer { directory.remove() }
        let catalog = try Catalog(CatalogConfiguration(path: directory.databasePath))
        _ = try catalog.upsertItem(newItem("a"), vectors: [captionVector(1, language: "zh"), captionVector(2)])
        _ = try catalog.upsertItem(newItem("b"), vectors: [captionVector(3)])
        #expect(try catalog.languageSums(space: "test-space").map(\.language) == ["en", "zh"])
        let before = catalog.languageSumsGeneration
        _ = try catalog.deleteItem(externalID: "a")
        #expect(catalog.languageSumsGeneration > before)
        let sums = try catalog.languageSums(space: "test-space")
        #expect(sums.map(\.language) == ["en"])
        #expect(sums.first?.count == 1)
        #expect(sums.first?.sum == [3, 3.5, -3, 1])
    }

    @Test func aRolledBackUpsertLeavesTheSumsUnchanged() throws {
        let directory = try ScratchDirectory("catalog")
        defer { directory.remove() }
        let catalog = try Catalog(CatalogConfiguration(path: directory.databasePath))
        _ = try catalog.upsertItem(newItem("a"), vectors: [captionVector(1), captionVector(2, language: "zh")])
        _ = try catalog.upsertItem(newItem("b"), vectors: [captionVector(3)])
        let before = try storedSums(catalog, spaces: ["test-space"])
        // Fails the transaction after the en row was rewritten (its count would become 3): the whole write, the
        // item, its vectors and every sum it touched, must roll back.
        try catalog.pool.write { db in
            try db.execute(
                sql: """
                    CREATE TRIGGER refuse_third AFTER INSERT ON language_sums WHEN NEW.count = 3
                    BEGIN SELECT RAISE(ABORT, 'refused for the test'); END
                    """)
        }
        #expect(throws: (any Error).self) {
            _ = try catalog.upsertItem(
                newItem("c"),
                vectors: [captionVector(4, language: "zh"), captionVector(5), captionVector(6, language: "fr")])
        }
        #expect(try catalog.item(externalID: "c") == nil)
        expectMatch(try storedSums(catalog, spaces: ["test-space"]), before, tolerance: 0)
        expectMatch(before, try freshSums(catalog), tolerance: 0)
    }

    @Test func migrationBackfillsTheSumsOfACatalogWrittenByTheFormerSchema() throws {
        let directory = try ScratchDirectory("catalog")
        defer { directory.remove() }
        let configuration = CatalogConfiguration(path: directory.databasePath)
        let former = Migration.all.filter { $0.name < "0003" }
        #expect(former.count == 2)
        do {
            let old = try Catalog(configuration, migrations: former)
            var generator = TestRandom(seed: 3)
            try old.pool.write { db in
                let now = Date()
                for index in 0..<40 {
                    try db.execute(
                        sql: """
                            INSERT INTO items (external_id, image_path, content_hash, created_at, updated_at)
                            VALUES (?, ?, 'h', ?, ?)
                            """,
                        arguments: ["item-\(index)", "/p/\(index).jpg", now, now])
                    let itemID = db.lastInsertedRowID
                    let rows: [(String, String?, [Float])] = [
                        ("caption", index % 3 == 0 ? "zh" : "en", vector(&generator)),
                        ("image", nil, vector(&generator)),
                        // A damaged row: NaN never reaches the index, so it must not reach the means either.
                        ("caption", "en", index == 6 ? [Float](repeating: .nan, count: 8) : vector(&generator)),
                    ]
                    for (source, language, values) in rows {
                        try db.execute(
                            sql: """
                                INSERT INTO vectors (item_id, space, source, caption_language, dimension, vector,
                                    created_at, tombstoned_at)
                                VALUES (?, 's', ?, ?, 8, ?, ?, ?)
                                """,
                            arguments: [
                                itemID, source, language, VectorBlob.encode(values), now,
                                index % 4 == 1 ? now : nil,
                            ])
                    }
                }
            }
            #expect(throws: (any Error).self) { _ = try old.languageSums(space: "s") }
        }
        let upgraded = try Catalog(configuration)
        #expect(try upgraded.appliedMigrations().contains("0003_language_means"))
        let fresh = try freshSums(upgraded)
        #expect(fresh["s|en|8"]?.count == 48, "19 first and 29 third captions: not the tombstoned, not the NaN row")
        #expect(fresh["s|zh|8"]?.count == 11)
        expectMatch(try storedSums(upgraded, spaces: ["s"]), fresh, tolerance: 0)
        // And the write paths carry on from the backfilled rows.
        _ = try upgraded.deleteItem(externalID: "item-0")
        _ = try upgraded.upsertItem(
            newItem("new"),
            vectors: [NewVector(space: "s", source: .caption, captionLanguage: "zh", vector: [1, 2, 3, 4, 5, 6, 7, 8])])
        expectMatch(try storedSums(upgraded, spaces: ["s"]), try freshSums(upgraded))
    }

    @Test func hitsCanCarryTheirVectorsAndVectorReadsAreCounted() throws {
        let directory = try ScratchDirectory("catalog")
        defer { directory.remove() }
        let catalog = try Catalog(CatalogConfiguration(path: directory.databasePath))
        let ids = try catalog.upsertItem(newItem("a"), vectors: [captionVector(1), captionVector(2, language: "zh")])
            .newIDs
        #expect(catalog.vectorsRead == 0)
        let plain = try catalog.hits(vectorIDs: ids)
        #expect(plain.values.allSatisfy { $0.vector == nil })
        #expect(catalog.vectorsRead == 0)
        let full = try catalog.hits(vectorIDs: ids, includingVectors: true)
        #expect(full[ids[0]]?.vector == captionVector(1).vector)
        #expect(full[ids[1]]?.vector == captionVector(2, language: "zh").vector)
        #expect(catalog.vectorsRead == 2)
        _ = try catalog.vectors(space: "test-space", after: 0, limit: 10)
        #expect(catalog.vectorsRead == 4)
    }
}

/// SplitMix64 with values in [-1, 1): deterministic vectors for these tests.
private struct TestRandom {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func nextValue() -> Float { Float(next() >> 40) / Float(1 << 23) - 1 }
}
