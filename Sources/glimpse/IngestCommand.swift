import ArgumentParser
import Foundation
import GlimpseClient

struct IngestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Ingest the images of a JSON Lines manifest and wait until they are searchable.",
        discussion: """
            Each line: {"image_path": "photos/dog.jpg", "captions": {"zh": "一只狗", "en": "a dog"}, "id": "optional"}. \
            Blank lines are skipped; relative image paths are taken relative to the manifest's directory. The whole \
            manifest is checked before anything is sent. Re-running a manifest adds nothing twice.
            Exits 0 if every item was ingested, 1 if some failed (listed on stderr).
            """
    )

    @OptionGroup var connection: ConnectionOptions

    @Argument(help: ArgumentHelp("The manifest, one JSON object per line.", valueName: "manifest.jsonl"))
    var manifest: String

    @Option(help: "Items per request (1–\(IngestBatching.daemonItemLimit)).")
    var batchSize = 500

    @Flag(help: "Return once the daemon has accepted the items, without waiting for them to be embedded.")
    var noWait = false

    func validate() throws {
        guard (1...IngestBatching.daemonItemLimit).contains(batchSize) else {
            throw ValidationError(
                "--batch-size must be between 1 and \(IngestBatching.daemonItemLimit), got \(batchSize)")
        }
    }

    func run() async throws {
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
