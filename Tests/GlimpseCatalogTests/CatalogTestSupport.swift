import Foundation
import GRDB
import GlimpseTestSupport

@testable import GlimpseCatalog

extension ScratchDirectory {
    /// Where a test's catalog database goes.
    var databasePath: String { url.appendingPathComponent("catalog.sqlite3").path }
}

extension Catalog {
    /// Raw SQL for tests that check the catalog against SQLite itself.
    func scalar(_ sql: String, _ arguments: StatementArguments = []) throws -> Int {
        try pool.read { db in try Int.fetchOne(db, sql: sql, arguments: arguments) ?? -1 }
    }
}

/// A caption vector of dimension 4 whose values are derived from `seed`.
func captionVector(_ seed: Float, language: String = "en", space: String = "test-space") -> NewVector {
    NewVector(space: space, source: .caption, captionLanguage: language, vector: [seed, seed + 0.5, -seed, 1])
}

func newItem(_ id: String, hash: String = "h1", captions: [String: String] = ["en": "a cat"]) -> NewItem {
    NewItem(externalID: id, imagePath: "/photos/\(id).jpg", contentHash: hash, captions: captions)
}

extension UpsertOutcome {
    var newIDs: [Int64] {
        switch self {
        case .inserted(let ids), .updated(let ids, _): ids
        case .unchanged: []
        }
    }
}
