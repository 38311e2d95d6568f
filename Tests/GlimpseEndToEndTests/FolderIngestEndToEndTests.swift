import Foundation
import GlimpseAPI
import GlimpseClient
import GlimpseTestSupport
import Testing

/// `glimpse ingest --dir` through the real daemon (E5 + the tiny Chinese-CLIP fixture): a copy of the shared photos
/// without any caption is ingested (image-only items), re-run unchanged without a file being read (counted by `glimpse_image_file_reads_total`), then
/// re-run after one photo changed and one was removed with `--prune`; every photo finds itself first by image.
@Suite(.serialized) struct FolderIngestEndToEndTests {
    /// The shared photos copied (writable) into `folder`, as relative paths; with `sidecars`, each gets a sidecar
    /// caption naming its label.
    static func copySharedPhotos(to folder: URL, sidecars: Bool) throws -> [String] {
        let manager = FileManager.default
        let source = TestEnvironment.sharedPhotos
        var copied: [String] = []
        let all = manager.enumerator(atPath: source.path)?.allObjects.compactMap { $0 as? String } ?? []
        for relative in all where PhotoFolderScanner.isPhotoName(relative) {
            let target = folder.appendingPathComponent(relative)
            try manager.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(contentsOf: source.appendingPathComponent(relative)).write(to: target)
            if sidecars {
                let label = (relative as NSString).deletingLastPathComponent
                try Data(#"{"captions": {"en": "a photo of \#(label)"}}"#.utf8)
                    .write(to: URL(fileURLWithPath: target.path + ".json"))
            }
            copied.append(relative)
        }
        return copied.sorted()
    }

    /// Runs `glimpse ingest --dir … --json`; stdout (the summary) apart from stderr (warnings, failures).
    static func ingest(_ folder: URL, _ daemon: DaemonProcess, _ extra: [String] = [], scratch: URL) throws -> (
        status: Int32, summary: FolderIngestSummary?, stderr: String
    ) {
        let process = Process()
        process.executableURL = TestEnvironment.binaries.appendingPathComponent("glimpse")
        process.arguments = daemon.socketArguments + ["ingest", "--dir", folder.path, "--json"] + extra
        let stdout = Pipe()
        let stderrURL = scratch.appendingPathComponent("ingest-stderr.txt")
        FileManager.default.createFile(atPath: stderrURL.path, contents: nil)
        process.standardOutput = stdout
        process.standardError = try FileHandle(forWritingTo: stderrURL)
        try process.run()
        let data = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let stderr = (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? ""
        return (process.terminationStatus, try? JSONDecoder().decode(FolderIngestSummary.self, from: data), stderr)
    }

    static func counter(_ name: String, _ daemon: DaemonProcess) async throws -> Double {
        let samples = try await MetricsAndReadinessEndToEndTests.scrape(daemon.client)
        return try #require(samples.first { $0.name == name }?.value, "\(name) missing from /metrics")
    }

    @Test func aPhotoFolderIsIngestedThenSkippedUnreadWhenUnchangedAndFollowsEditsAndRemovals() async throws {
        try TestEnvironment.requirePrerequisites()
        try await withScratchDirectory("e2e-folder") { directory in
            let folder = directory.appendingPathComponent("photos")
            // No captions at all: the photos are indexed by their pixels (the CLIP space).
            let photos = try Self.copySharedPhotos(to: folder, sidecars: false)
            try #require(photos.count > 100)
            // A link out of the folder is skipped with a warning, never ingested.
            let outside = directory.appendingPathComponent("outside.jpg")
            try Data(contentsOf: folder.appendingPathComponent(photos[0])).write(to: outside)
            try FileManager.default.createSymbolicLink(
                atPath: folder.appendingPathComponent("escape.jpg").path, withDestinationPath: outside.path)

            let config = directory.appendingPathComponent("glimpsed.json")
            try Data(
                #"""
                {"spaces": [{"kind": "e5", "weight": 1.0},
                            {"kind": "clip", "folder": "\#(CLIPFixtures.chineseCLIPFolder.path)", "weight": 1.0, "image_weight": 1.0, "caption_weight": 0.5}]}
                """#.utf8
            ).write(to: config)
            try await withDaemon(in: directory, extraArguments: ["--config", config.path]) { daemon in
                let first = try Self.ingest(folder, daemon, scratch: directory)
                #expect(first.status == 0, "\(first.stderr)\n\(daemon.log)")
                let one = try #require(first.summary, "no JSON summary: \(first.stderr)")
                #expect(one.seen == photos.count && one.ingested == photos.count, "\(one)")
                #expect(one.unchanged == 0 && one.failed == 0 && one.pruned == 0)
                #expect(one.skipped == 1 && first.stderr.contains("escape.jpg: skipped, a symlink leading outside"))
                let readsAfterFirst = try await Self.counter("glimpse_image_file_reads_total", daemon)
                #expect(readsAfterFirst == Double(photos.count), "each photo read once")

                let client = daemon.client
                #expect(try await client.status().catalog.items == photos.count)
                let item = try await client.item(id: photos[0])
                #expect(item.imagePath.hasSuffix("/photos/" + photos[0]))

                // Every photo finds itself first by image (the tiny CLIP space).
                for photo in photos {
                    let bytes = try Data(contentsOf: folder.appendingPathComponent(photo))
                    let found = try await client.searchImage(bytes, k: 3)
                    #expect(found.results.first?.id == photo, "\(photo): \(found.results.map(\.id))")
                }

                // Unchanged: nothing read, every photo unchanged, in under a tenth of the first run's time.
                let second = try Self.ingest(folder, daemon, scratch: directory)
                #expect(second.status == 0, "\(second.stderr)")
                let two = try #require(second.summary)
                #expect(two.seen == photos.count && two.unchanged == photos.count && two.ingested == 0, "\(two)")
                #expect(try await Self.counter("glimpse_image_file_reads_total", daemon) == readsAfterFirst)
                #expect(
                    try await Self.counter("glimpse_ingest_unread_unchanged_total", daemon) == Double(photos.count))
                #expect(two.seconds < one.seconds / 10, "rerun \(two.seconds) s vs first run \(one.seconds) s")

                // One photo changed (another photo's bytes: new size and mtime), one removed, pruned.
                let (changed, removed, donor) = (photos[1], photos[2], photos[photos.count - 1])
                try Data(contentsOf: folder.appendingPathComponent(donor)).write(
                    to: folder.appendingPathComponent(changed))
                try FileManager.default.removeItem(at: folder.appendingPathComponent(removed))
                let third = try Self.ingest(folder, daemon, ["--prune"], scratch: directory)
                #expect(third.status == 0, "\(third.stderr)")
                let three = try #require(third.summary)
                #expect(three.seen == photos.count - 1 && three.ingested == 1, "\(three)")
                #expect(three.unchanged == photos.count - 2 && three.pruned == 1 && three.failed == 0, "\(three)")
                #expect(
                    try await Self.counter("glimpse_image_file_reads_total", daemon) == readsAfterFirst + 1,
                    "only the changed photo is read")
                #expect(try await client.status().catalog.items == photos.count - 1)
                await #expect(throws: GlimpseClientError.self) { _ = try await client.item(id: removed) }
                // The changed photo's item now holds the donor's picture: both match it exactly.
                let donorBytes = try Data(contentsOf: folder.appendingPathComponent(donor))
                let top = try await client.searchImage(donorBytes, k: 2).results
                #expect(Set(top.map(\.id)) == [changed, donor], "\(top.map(\.id))")
                #expect(top.allSatisfy { abs($0.score - 1) < 1e-3 })

                // Pruning again finds nothing more; a photo that fails its sidecar makes the run exit 1.
                try Data("{broken".utf8).write(
                    to: URL(fileURLWithPath: folder.appendingPathComponent(photos[3]).path + ".json"))
                let fourth = try Self.ingest(folder, daemon, ["--prune"], scratch: directory)
                #expect(fourth.status == 1, "\(fourth.stderr)")
                #expect(
                    fourth.summary?.failed == 1 && fourth.summary?.pruned == 0, "\(String(describing: fourth.summary))")
                #expect(
                    fourth.stderr.contains(photos[3]) && fourth.stderr.contains("not valid JSON"), "\(fourth.stderr)")

                #expect(await daemon.terminate() == 0, "SIGTERM is a clean shutdown:\n\(daemon.log)")
            }
        }
    }

    /// A text-only daemon cannot index a photo without captions: that photo fails by name (exit 1), and the
    /// captioned photos of the same folder, even those in the same batch, are still stored.
    @Test func aPhotoWithoutCaptionsFailsByNameInATextOnlyDaemonAndTheOthersAreStored() async throws {
        try TestEnvironment.requirePrerequisites()
        try await withScratchDirectory("e2e-folder-text-only") { directory in
            let folder = directory.appendingPathComponent("photos")
            let photos = try Self.copySharedPhotos(to: folder, sidecars: true)
            let uncaptioned = photos[1]
            try FileManager.default.removeItem(atPath: folder.appendingPathComponent(uncaptioned).path + ".json")
            try await withDaemon(in: directory) { daemon in
                let run = try Self.ingest(folder, daemon, scratch: directory)
                #expect(run.status == 1, "\(run.stderr)")
                #expect(run.stderr.contains("\(uncaptioned): no captions"), "\(run.stderr)")
                #expect(run.stderr.contains("no_image_space") && run.stderr.contains("image space"), "\(run.stderr)")
                #expect(run.summary?.failed == 1)
                #expect(run.summary?.ingested == photos.count - 1)
                #expect(try await daemon.client.status().catalog.items == photos.count - 1)
                // Its batch neighbours went in.
                #expect(try await daemon.client.item(id: photos[0]).captions["en"]?.hasPrefix("a photo of") == true)
                #expect(try await daemon.client.item(id: photos[2]).captions["en"]?.hasPrefix("a photo of") == true)
                do {
                    _ = try await daemon.client.item(id: uncaptioned)
                    Issue.record("the uncaptioned photo was stored")
                } catch let error as GlimpseClientError {
                    #expect(error.status == 404)
                }
            }
        }
    }
}
