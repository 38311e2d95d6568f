import Foundation
import GlimpseTestSupport
import Testing

@testable import GlimpseCatalog

/// The catalog's WAL file gives its space back (issue 12.2 follow-up): SQLite keeps a WAL at its largest size
/// unless `journal_size_limit` is set, so one large transaction, or the frames of writes a full disk refused,
/// would keep that space used for good.
struct WALSizeTests {
    @Test func aLargeTransactionDoesNotLeaveALargeWALBehind() throws {
        let directory = try ScratchDirectory("catalog")
        defer { directory.remove() }
        let catalog = try Catalog(CatalogConfiguration(path: directory.databasePath))
        let big = Data((0..<(6 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        let bigJob = try catalog.enqueueJob(kind: "ingest", payload: big, total: 1)
        // The transaction's pages went through the WAL.
        #expect(catalog.walFileBytes > 2 * Catalog.walSizeLimitBytes, "WAL \(catalog.walFileBytes) bytes")
        // The next commit starts the WAL over (the big one was checkpointed when it committed) and cuts it down.
        _ = try catalog.enqueueJob(kind: "ingest", payload: Data("small".utf8), total: 1)
        #expect(catalog.walFileBytes <= Catalog.walSizeLimitBytes, "WAL \(catalog.walFileBytes) bytes")
        #expect(try catalog.job(id: bigJob)?.payload == big)
    }

    @Test func truncatingAfterAFullDatabaseEmptiesTheWALAndKeepsEveryCommit() throws {
        let directory = try ScratchDirectory("catalog")
        defer { directory.remove() }
        let catalog = try Catalog(CatalogConfiguration(path: directory.databasePath))
        let kept = try catalog.enqueueJob(kind: "ingest", payload: Data(repeating: 1, count: 200 << 10), total: 1)
        try catalog.setSizeLimit(extraPages: 0)
        #expect(throws: (any Error).self) {
            _ = try catalog.enqueueJob(kind: "ingest", payload: Data(repeating: 2, count: 512 << 10), total: 1)
        }
        try catalog.setSizeLimit(extraPages: nil)
        #expect(catalog.walFileBytes > 0)
        #expect(try !catalog.truncateWALIfOversized(), "below the limit the size check leaves it")
        try catalog.truncateWAL()
        #expect(catalog.walFileBytes == 0)
        // Everything committed is in the database file itself now: a fresh connection reads it.
        let reopened = try Catalog(CatalogConfiguration(path: directory.databasePath))
        #expect(try reopened.job(id: kept)?.payload == Data(repeating: 1, count: 200 << 10))
        #expect(try reopened.scalar("SELECT count(*) FROM jobs") == 1)
        #expect(try reopened.scalar("PRAGMA journal_size_limit") == Catalog.walSizeLimitBytes)
        // Writes go on after the truncation.
        _ = try catalog.enqueueJob(kind: "ingest", payload: Data("next".utf8), total: 1)
        #expect(try catalog.scalar("SELECT count(*) FROM jobs") == 2)
    }
}
