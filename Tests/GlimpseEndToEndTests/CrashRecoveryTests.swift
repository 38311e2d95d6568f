import Foundation
import GRDB
import GlimpseAPI
import GlimpseClient
import GlimpseEvaluation
import GlimpseTestSupport
import Testing

/// Durability proven by killing the process: glimpsed is SIGKILLed at random moments while it ingests the shared
/// photos and while it rebuilds its index, restarted each time, and must end up with every acknowledged item
/// searchable exactly once, a sound SQLite file, and the same search results as a fresh rebuild.
@Suite(.serialized) struct CrashRecoveryTests {
    @Test func killedAtRandomMomentsDuringIngestAndRebuildLosesAndDuplicatesNothing() async throws {
        try TestEnvironment.requirePrerequisites()
        try await withScratchDirectory("crash") { directory in
            let items = try SharedPhotoManifest.items(in: directory)
            let batches = stride(from: 0, to: items.count, by: 30).map { Array(items[$0..<min($0 + 30, items.count)]) }

            let seed = UInt64(ProcessInfo.processInfo.environment["GLIMPSE_CRASH_SEED"] ?? "") ?? 20_261_123
            var random = SplitMix64(seed: seed)
            print("crash test seed \(seed) (set GLIMPSE_CRASH_SEED to replay)")
            var acknowledged: Set<String> = []
            var nextBatch = 0
            var kills = 0
            var killsDuringRebuild = 0
            for round in 0..<24 {
                try await withDaemon(in: directory, extraArguments: ["--log-level", "warning"]) { daemon in
                    let client = daemon.adminClient
                    // Two thirds of the rounds send more photos (the cron job's retry resends a batch already taken);
                    // the others ask for a rebuild, so kills also land mid-rebuild and mid-snapshot.
                    let rebuilding = round % 3 == 2
                    if rebuilding {
                        _ = try await client.rebuild()
                        killsDuringRebuild += 1
                    } else {
                        for _ in 0..<2 {
                            let batch = batches[nextBatch % batches.count]
                            let accepted = try await client.ingest(batch)
                            #expect(accepted.accepted == batch.count)
                            acknowledged.formUnion(batch.map { $0.id ?? $0.imagePath })
                            nextBatch += 1
                        }
                    }
                    try await Task.sleep(for: .milliseconds(Int(random.next() % (rebuilding ? 400 : 2_500))))
                    daemon.killHard()
                    kills += 1
                }
            }
            #expect(kills >= 20)
            #expect(killsDuringRebuild >= 5)

            // Finally a clean start: every queued or interrupted job runs to its end.
            try await withDaemon(in: directory) { daemon in
                let client = daemon.adminClient
                let status = try await daemon.waitUntilJobsDrained()
                #expect(
                    (status.catalog.jobs["queued"] ?? 0) + (status.catalog.jobs["running"] ?? 0) == 0,
                    "jobs drained:\n\(daemon.log)")
                #expect((status.catalog.jobs["failed"] ?? 0) == 0)

                // Nothing lost, nothing twice: one item and one vector per acknowledged photo, in the catalog and the index.
                #expect(acknowledged.count == items.count, "every batch was acknowledged at least once")
                #expect(status.catalog.items == acknowledged.count)
                #expect(status.catalog.vectors == acknowledged.count)
                #expect(status.catalog.tombstonedVectors == 0, "a resent unchanged batch replaces nothing")
                #expect(status.indexes.first?.vectors == acknowledged.count, "the index holds each live vector once")
                // Photos of one label (the id's folder) are captioned alike, up to 20 of them, so look past all of them.
                let label = { (id: String) in id.split(separator: "/").first.map(String.init) ?? id }
                let photosPerLabel = Dictionary(items.map { (label($0.id ?? $0.imagePath), 1) }, uniquingKeysWith: +)
                for item in items {
                    let id = item.id ?? item.imagePath
                    let caption = item.captions.values.first!
                    let depth = max(10, photosPerLabel[label(id)]! + 5)
                    let found = try await client.search(caption, k: depth, ef: nil).results.map(\.id)
                    #expect(found.contains(id), "\(id) is searchable by its caption \(caption)")
                }

                let queries = ["dog", "狗", "cat", "猫", "red car", "苹果", "bird", "花", "boat", "建筑"]
                var before: [RankedResults] = []
                for query in queries { before.append(RankedResults(try await client.search(query, k: 10, ef: nil))) }
                let rebuild = try await client.rebuild()
                let job = try await SharedPhotoManifest.waitForJob(rebuild.jobID, daemon: daemon)
                #expect(job.state == .done)
                for (query, expected) in zip(queries, before) {
                    let after = RankedResults(try await client.search(query, k: 10, ef: nil))
                    #expect(after.matches(expected), "\(query) after a fresh rebuild: \(after) vs \(expected)")
                }
                #expect(await daemon.terminate() == 0)

                let database = try DatabaseQueue(path: directory.appendingPathComponent("data/catalog.sqlite3").path)
                let integrity = try await database.read { try String.fetchAll($0, sql: "PRAGMA integrity_check") }
                #expect(integrity == ["ok"])
                let duplicates = try await database.read {
                    try Int.fetchOne(
                        $0,
                        sql:
                            "SELECT COUNT(*) FROM (SELECT item_id, caption_language FROM vectors WHERE tombstoned_at IS NULL GROUP BY item_id, space, caption_language HAVING COUNT(*) > 1)"
                    )
                }
                #expect(duplicates == 0)
                print(
                    "crash test: \(kills) kills (\(killsDuringRebuild) during rebuilds), \(acknowledged.count) acknowledged items all found once"
                )
            }
        }
    }
}

/// Search results compared the way ties allow: photos captioned alike score exactly alike, and which of them fill
/// the last places is the index's choice. So the scores must agree, and so must the items scoring above the last.
struct RankedResults: CustomStringConvertible {
    let scores: [Float]
    let ids: [String]

    init(_ response: SearchResponse) {
        scores = response.results.map(\.score)
        ids = response.results.map(\.id)
    }

    func matches(_ other: RankedResults) -> Bool {
        guard scores.count == other.scores.count,
            zip(scores, other.scores).allSatisfy({ abs($0 - $1) < 1e-5 })
        else { return false }
        guard let last = scores.last else { return true }
        let clearlyAbove = { (results: RankedResults) in
            Set(zip(results.ids, results.scores).filter { $0.1 > last + 1e-5 }.map(\.0))
        }
        return clearlyAbove(self) == clearlyAbove(other)
    }

    var description: String { zip(ids, scores).map { "\($0) \($1)" }.joined(separator: ", ") }
}
