import Foundation
import GlimpseAPI
import GlimpseClient
import GlimpseTestSupport
import Testing

/// Issue 12.10: a SIGKILL followed by the loss of the catalog's `-wal` file (a backup taken without it, an admin's
/// `rm`) rolls the catalog back to its last checkpoint, so jobs, items and progress written after it are gone. What
/// the daemon reports afterwards must describe what the catalog holds: a job it still knows finishes, every item it
/// counts as stored is in the catalog and searchable, and nothing is reported failed merely because it was stored
/// again on resume (before the fix such items failed with "id … is already in the index").
@Suite(.serialized) struct LostWALTests {
    @Test func jobResultsDescribeTheCatalogAfterAKillAndALostWAL() async throws {
        try TestEnvironment.requirePrerequisites()
        try await withScratchDirectory("lostwal") { directory in
            let items = Array(try SharedPhotoManifest.items(in: directory).prefix(90))
            let catalog = directory.appendingPathComponent("data/catalog.sqlite3")
            // A first batch stored and checkpointed by a clean shutdown.
            try await withDaemon(in: directory) { daemon in
                try await SharedPhotoManifest.ingest(Array(items[0..<30]), into: daemon)
            }
            // Two more batches, killed while the worker stores them; then the WAL is lost.
            var jobIDs: [Int64] = []
            try await withDaemon(in: directory, extraArguments: ["--log-level", "warning"]) { daemon in
                for start in [30, 60] {
                    jobIDs.append(try await daemon.adminClient.ingest(Array(items[start..<start + 30])).jobID)
                }
                try await Task.sleep(for: .milliseconds(1_500))
                daemon.killHard()
            }
            // SQLite removes the WAL only when the last connection closes cleanly: after the kill it holds the
            // batches' transactions, so deleting it really loses them.
            #expect(FileManager.default.fileExists(atPath: catalog.path + "-wal"))
            for suffix in ["-wal", "-shm"] {
                try? FileManager.default.removeItem(atPath: catalog.path + suffix)
            }

            try await withDaemon(in: directory) { daemon in
                let status = try await daemon.waitUntilJobsDrained()
                #expect((status.catalog.jobs["queued"] ?? 0) + (status.catalog.jobs["running"] ?? 0) == 0)
                var stored = Set(items[0..<30].map { $0.id ?? $0.imagePath })
                for (offset, jobID) in jobIDs.enumerated() {
                    // A job whose row the lost WAL took is unknown (404): its client must resend, nothing claims it.
                    guard let job = try? await daemon.client.job(id: jobID) else {
                        print("lost WAL: job \(jobID) went with it")
                        continue
                    }
                    print("lost WAL: job \(jobID) survives: \(job.inserted) inserted, \(job.unchanged) unchanged")
                    #expect(job.state == .done, "job \(jobID): \(job)")
                    #expect(job.failed == 0 && job.errors.isEmpty, "job \(jobID) reports failures: \(job.errors)")
                    #expect(job.done == job.total)
                    #expect(job.inserted + job.updated + job.unchanged == job.total, "job \(jobID): \(job)")
                    let start = 30 + offset * 30
                    stored.formUnion(items[start..<start + 30].map { $0.id ?? $0.imagePath })
                }
                // Every item a finished job counts as stored is in the catalog and found by its caption.
                for item in items where stored.contains(item.id ?? item.imagePath) {
                    let id = item.id ?? item.imagePath
                    let record = try await daemon.client.item(id: id)
                    #expect(record.id == id)
                    let caption = item.captions.values.first!
                    let found = try await daemon.client.search(caption, k: 40, ef: nil).results.map(\.id)
                    #expect(found.contains(id), "\(id) is searchable by its caption \(caption)")
                }
                // The index holds exactly the catalog's live vectors: nothing from the lost transactions remains.
                let after = try await daemon.client.status()
                #expect(after.catalog.items >= stored.count)
                #expect(after.indexes.first?.vectors == after.catalog.vectors, "\(after)")
                #expect((after.catalog.jobs["failed"] ?? 0) == 0)
            }
        }
    }
}
