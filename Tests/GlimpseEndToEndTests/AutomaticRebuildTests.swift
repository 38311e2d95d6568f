import Foundation
import GlimpseAPI
import GlimpseClient
import GlimpseTestSupport
import Testing

/// The daemon's default limit (a fifth of an index tombstoned) queues a compaction by itself.
@Suite(.serialized) struct AutomaticRebuildTests {
    @Test func deletingMoreThanAFifthOfThePhotosRebuildsTheIndexWithoutThem() async throws {
        try TestEnvironment.requirePrerequisites()
        try await withScratchDirectory("auto") { directory in
            let items = Array(try SharedPhotoManifest.items(in: directory).prefix(24))
            try await withDaemon(in: directory) { daemon in
                try await SharedPhotoManifest.ingest(items, into: daemon)

                // 4 of 24 points tombstoned (17%) is under the limit; the fifth (21%) passes it.
                let deleted = items.prefix(5).map { $0.id ?? $0.imagePath }
                let glimpse = TestEnvironment.binaries.appendingPathComponent("glimpse")
                for (number, id) in deleted.enumerated() {
                    let run = try runCommand(glimpse, daemon.socketArguments + ["delete", id])
                    #expect(run.status == 0, "\(run.output)")
                    if number == 3 {
                        let jobs = try await daemon.client.status().catalog.jobs
                        #expect(
                            jobs["queued"] == 0 && jobs["running"] == 0 && jobs["done"] == 1, "no rebuild yet: \(jobs)")
                    }
                }
                let status = try await daemon.waitUntilJobsDrained()
                #expect(
                    daemon.log.contains("tombstoned share of an index passed the limit; rebuild queued"),
                    "\(daemon.log)")
                #expect(
                    status.catalog.jobs["done"] == 2, "one ingest and one automatic rebuild: \(status.catalog.jobs)")
                let index = try #require(status.indexes.first)
                #expect(index.vectors == items.count - deleted.count, "the rebuilt index holds only live vectors")
                #expect(index.tombstonedVectors == 0)
                #expect(index.autoRebuildTombstoneFraction == 0.2)
                for item in items.prefix(5) {
                    for caption in item.captions.values {
                        let found = try await daemon.client.search(caption, k: 30).results.map(\.id)
                        #expect(!found.contains(item.id ?? item.imagePath), "a deleted photo came back for \(caption)")
                    }
                }
                #expect(await daemon.terminate() == 0)
            }
        }
    }
}
