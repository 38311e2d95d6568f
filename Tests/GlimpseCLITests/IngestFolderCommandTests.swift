import Testing

@testable import GlimpseClient
@testable import glimpse

@Suite struct IngestFolderCommandTests {
    @Test func progressShowsFilesPerSecondAndTheTimeLeftAtThatRate() {
        let half = IngestProgress(total: 100, processed: 50, failed: 0, jobsFinished: 0, jobs: 1)
        #expect(
            ProgressDisplay.counts(half, unit: "files", elapsed: .seconds(10))
                == "50/100 files (50%), 5.0 files/s, ETA 0:10")
        #expect(ProgressDisplay.counts(half, unit: "files") == "50/100 files (50%)", "no rate unless asked")
        let nothingYet = IngestProgress(total: 100, processed: 0, failed: 0, jobsFinished: 0, jobs: 1)
        #expect(ProgressDisplay.counts(nothingYet, unit: "files", elapsed: .seconds(3)) == "0/100 files (0%)")
        let fast = IngestProgress(total: 10_000, processed: 2_000, failed: 0, jobsFinished: 0, jobs: 1)
        #expect(
            ProgressDisplay.counts(fast, unit: "files", elapsed: .seconds(40))
                == "2000/10000 files (20%), 50 files/s, ETA 2:40")
        #expect(ProgressDisplay.clock(3_725) == "1:02:05")
        #expect(ProgressDisplay.clock(0.2) == "0:01")
    }

    @Test func dirAndAManifestAreExclusiveAndPruneAndJSONNeedDir() throws {
        #expect(throws: (any Error).self) { try IngestCommand.parse([]) }
        #expect(throws: (any Error).self) { try IngestCommand.parse(["m.jsonl", "--dir", "photos"]) }
        #expect(throws: (any Error).self) { try IngestCommand.parse(["m.jsonl", "--prune"]) }
        #expect(throws: (any Error).self) { try IngestCommand.parse(["m.jsonl", "--json"]) }
        #expect(throws: (any Error).self) { try IngestCommand.parse(["--dir", "photos", "--no-wait"]) }
        let folder = try IngestCommand.parse(["--dir", "photos", "--prune", "--json"])
        #expect(folder.folder == "photos" && folder.prune && folder.json && folder.manifest == nil)
        #expect(try IngestCommand.parse(["m.jsonl"]).manifest == "m.jsonl")
    }

    @Test func aRefusedBatchNamesThePhotoTheDaemonPointedAt() {
        var scan = FolderScan(root: "/photos")
        for name in ["a.jpg", "b.jpg", "c.jpg", "d.jpg"] {
            scan.photos.append(
                FolderPhoto(relativePath: name, item: .init(id: name, imagePath: "/photos/" + name, captions: [:])))
        }
        // The second batch (photos 3 and 4) was refused at its items[1]: d.jpg.
        let refused = BatchRefusedError(
            batchNumber: 2, batchCount: 2, lines: 3...4, accepted: [],
            underlying: GlimpseClientError(
                kind: .api, socketPath: "/run/admin.sock", status: 400,
                message: "items[1] has no captions, and no space of this daemon embeds images"),
            entries: Array(scan.entries[2...3]))
        let message = IngestCommand.refusal(refused, scan: scan)
        #expect(message.contains("at d.jpg:"), "\(message)")
        #expect(message.contains("no space of this daemon embeds images"))
    }
}
