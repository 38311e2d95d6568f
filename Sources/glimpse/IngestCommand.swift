import ArgumentParser
import Foundation
import GlimpseClient

struct IngestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Ingest the images of a JSON Lines manifest, or a photo folder, and wait until they are searchable.",
        discussion: """
            Each line: {"image_path": "photos/dog.jpg", "captions": {"zh": "一只狗", "en": "a dog"}, "id": "optional"}. \
            Blank lines are skipped; relative image paths are taken relative to the manifest's directory. The whole \
            manifest is checked before anything is sent. Re-running a manifest adds nothing twice.
            With --dir PHOTOS instead of a manifest, the folder's photos (jpg, jpeg, png, webp, heic, heif, avif; any \
            case) are ingested under ids that are their paths relative to the folder, with optional captions from a \
            sidecar beside each photo, NAME.EXT.json: {"captions": {"en": "a dog"}, "fields": {"album": "2024"}}. \
            Symlinks leading outside the folder are skipped with a warning. A photo whose file size and modification \
            time are unchanged since the last run is skipped by the daemon without being read; --prune deletes the \
            items of photos that are gone. --json prints a summary (seen, unchanged, ingested, failed, pruned, \
            skipped, seconds) for cron.
            Exits 0 if every item was ingested, 1 if some failed (listed on stderr).
            """
    )

    @OptionGroup var connection: ConnectionOptions

    @Argument(help: ArgumentHelp("The manifest, one JSON object per line.", valueName: "manifest.jsonl"))
    var manifest: String?

    @Option(
        name: .customLong("dir"),
        help: ArgumentHelp("Ingest the photos of this folder instead of a manifest.", valueName: "folder"))
    var folder: String?

    @Flag(help: "With --dir: delete the items of this folder whose photo file is gone.")
    var prune = false

    @Flag(help: "With --dir: print a JSON summary on stdout (progress lines only on a terminal).")
    var json = false

    @Option(help: "Items per request (1–\(IngestBatching.daemonItemLimit)).")
    var batchSize = 500

    @Flag(help: "Return once the daemon has accepted the items, without waiting for them to be embedded.")
    var noWait = false

    func validate() throws {
        switch (manifest, folder) {
        case (nil, nil): throw ValidationError("give a manifest or --dir FOLDER")
        case (_?, _?): throw ValidationError("give a manifest or --dir FOLDER, not both")
        case (_?, nil) where prune || json: throw ValidationError("--prune and --json go with --dir")
        case (nil, _?) where noWait: throw ValidationError("--dir waits for its jobs, to report and prune")
        default: break
        }
        guard (1...IngestBatching.daemonItemLimit).contains(batchSize) else {
            throw ValidationError(
                "--batch-size must be between 1 and \(IngestBatching.daemonItemLimit), got \(batchSize)")
        }
    }

    func run() async throws {
        if let folder {
            try await ingestFolder(folder)
            return
        }
        guard let manifest else { return }
        let entries = try ManifestReader.read(contentsOf: manifest)
        guard !entries.isEmpty else {
            Output.error("\(manifest) holds no items; nothing to ingest")
            return
        }
        let batches = IngestBatching.split(entries, maxItems: batchSize)
        let ingestion = ManifestIngestion(client: connection.adminClient)
        let submitted = try await ingestion.submit(batches)
        let jobList = submitted.map { String($0.jobID) }.joined(separator: ", ")

        if noWait {
            print("accepted \(entries.count) items from \(manifest) as job(s) \(jobList); follow with: glimpse job ID")
            return
        }

        var display = ProgressDisplay(toTerminal: Output.standardErrorIsTerminal)
        let report = try await ingestion.waitForCompletion(of: submitted) { display.show($0) }
        display.finish()

        print("ingested \(manifest): \(report.total) items in job(s) \(jobList)")
        print(
            "  inserted \(report.inserted), updated \(report.updated), unchanged \(report.unchanged), failed \(report.failed)"
        )
        for jobID in report.failedJobs {
            Output.error("job \(jobID) failed as a whole")
        }
        for failure in report.errors {
            let place = failure.lineNumber.map { "\(manifest):\($0)" } ?? "job \(failure.jobID)"
            let id = failure.id.map { " \($0):" } ?? ""
            Output.error("\(place):\(id) \(failure.message)")
        }
        if !report.allSucceeded {
            throw CommandFailure(status: ExitStatus.itemsFailed, message: nil)
        }
    }
}
