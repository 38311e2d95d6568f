import Foundation
import GRDB
import GlimpseAPI
import GlimpseClient
import GlimpseTestSupport
import Testing

/// Damage a crash, a bad disk or a hand edit can do to the data directory: the daemon starts, logs what it skipped
/// or recovered, serves every sound item, and loses nothing else.
@Suite(.serialized) struct CorruptedCatalogTests {
    @Test func corruptVectorRowsAndAGarbageSnapshotAreSkippedAndLogged() async throws {
        try TestEnvironment.requirePrerequisites()
        try await withScratchDirectory("corrupt") { directory in
            let items = Array(try SharedPhotoManifest.items(in: directory).prefix(24))
            try await withDaemon(in: directory) { first in
                try await SharedPhotoManifest.ingest(items, into: first)
                #expect(await first.terminate() == 0)
            }

            // Two vector rows damaged with sqlite directly: one of NaNs, one of the wrong dimension.
            let catalogPath = directory.appendingPathComponent("data/catalog.sqlite3").path
            let damaged: [String] = try await DatabaseQueue(path: catalogPath).write { db in
                let rows = try Row.fetchAll(
                    db,
                    sql:
                        "SELECT vectors.id, items.external_id FROM vectors JOIN items ON items.id = vectors.item_id ORDER BY vectors.id LIMIT 2"
                )
                let nan = Data(repeating: 0xff, count: 384 * 4)  // 0xffffffff is a NaN
                try db.execute(
                    sql: "UPDATE vectors SET vector = ? WHERE id = ?", arguments: [nan, rows[0]["id"] as Int64])
                try db.execute(
                    sql: "UPDATE vectors SET dimension = 3, vector = ? WHERE id = ?",
                    arguments: [Data(repeating: 0, count: 12), rows[1]["id"] as Int64])
                return rows.map { $0["external_id"] as String }
            }
            // The index snapshot: truncated, its first bytes overwritten.
            let snapshot = directory.appendingPathComponent("data/indexes/multilingual-e5-small.hnsw")
            let original = try Data(contentsOf: snapshot)
            try (Data("garbage!".utf8) + original.prefix(original.count / 2).dropFirst(8)).write(to: snapshot)

            try await withDaemon(in: directory) { daemon in
                let log = daemon.log
                #expect(log.contains("index snapshot unreadable; rebuilding from the catalog"), "\(log)")
                #expect(log.contains("skipping catalog vector with wrong dimension or non-finite values"), "\(log)")
                #expect(
                    FileManager.default.fileExists(atPath: snapshot.path + ".corrupt"),
                    "the damaged snapshot is kept aside")

                let status = try await daemon.client.status()
                #expect(status.catalog.items == items.count, "no item lost")
                #expect(status.catalog.vectors == items.count, "no row deleted")
                #expect(status.indexes.first?.vectors == items.count - 2, "only the two damaged vectors are left out")
                for item in items {
                    let id = item.id ?? item.imagePath
                    #expect(try await daemon.client.item(id: id).id == id, "item \(id) is still served")
                    guard !damaged.contains(id), let caption = item.captions.values.first else { continue }
                    let found = try await daemon.client.search(caption, k: 30).results.map(\.id)
                    #expect(found.contains(id), "\(id) is found by its caption \(caption)")
                }
                let integrity = try await DatabaseQueue(path: catalogPath).read { db in
                    try String.fetchOne(db, sql: "PRAGMA integrity_check")
                }
                #expect(integrity == "ok")
                #expect(await daemon.terminate() == 0)
            }
        }
    }

    @Test func anUnreadableModelFileIsAClearErrorAndANonZeroExit() throws {
        try TestEnvironment.requirePrerequisites()
        try withScratchDirectory("model") { directory in
            let garbage = directory.appendingPathComponent("garbage.bin")
            try Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 31) }).write(to: garbage)
            let truncated = directory.appendingPathComponent("truncated.bin")
            let model = try FileHandle(forReadingFrom: URL(fileURLWithPath: TestEnvironment.modelPath))
            try (try model.read(upToCount: 1 << 20) ?? Data()).write(to: truncated)
            try model.close()

            for path in [directory.appendingPathComponent("missing.bin").path, garbage.path, truncated.path] {
                let run = try runCommand(
                    TestEnvironment.binaries.appendingPathComponent("glimpsed"),
                    [
                        "--socket", directory.appendingPathComponent("q.sock").path,
                        "--admin-socket", directory.appendingPathComponent("a.sock").path,
                        "--data-dir", directory.appendingPathComponent("data").path, "--model", path,
                    ])
                #expect(run.status != 0, "glimpsed must not start with \(path)")
                #expect(run.output.contains("glimpsed cannot run"), "\(run.output)")
                #expect(run.output.contains(path), "the error names the file: \(run.output)")
                #expect(
                    !FileManager.default.fileExists(atPath: directory.appendingPathComponent("a.sock").path),
                    "no socket left behind")
            }
        }
    }
}
