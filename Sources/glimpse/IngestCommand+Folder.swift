import Foundation
import GlimpseClient

/// `glimpse ingest --dir PHOTOS`: walk, send, wait with files/s and ETA, prune, summarise.
extension IngestCommand {
    func ingestFolder(_ folder: String) async throws {
        let clock = ContinuousClock()
        let start = clock.now
        let scan: FolderScan
        do {
            scan = try PhotoFolderScanner.scan(folder)
        } catch {
            throw CommandFailure(status: ExitStatus.refused, message: error.description)
        }
        for warning in scan.warnings { Output.error("warning: \(warning)") }
        for problem in scan.problems { Output.error(problem.description) }

        var summary = FolderIngestSummary()
        summary.seen = scan.photos.count + scan.problems.count
        summary.failed = scan.problems.count
        summary.skipped = scan.warnings.count
        var failedJobs: [Int64] = []
        let entries = scan.entries
        if !entries.isEmpty {
            // A short poll: an unchanged folder is done in a moment, and a 200 ms wait would be most of it.
            let ingestion = ManifestIngestion(client: connection.adminClient, pollInterval: .milliseconds(50))
            let submitted: [SubmittedBatch]
            do {
                submitted = try await ingestion.submit(IngestBatching.split(entries, maxItems: batchSize))
            } catch  where error.underlying.code == "no_image_space" {
                // A daemon without an image space cannot store a photo that has no captions, and refuses any
                // batch holding one. Those photos fail by name; the captioned ones still go in.
                let pending = entries.filter { $0.lineNumber >= error.lines.lowerBound }
                let uncaptioned = pending.filter { $0.item.captions.isEmpty }
                for entry in uncaptioned {
                    let photo = scan.photos[entry.lineNumber - 1].relativePath
                    Output.error(
                        "\(photo): no captions, and the daemon embeds no images (no_image_space): add a sidecar "
                            + "\(photo)\(PhotoFolderScanner.sidecarSuffix) with captions, or configure an image space")
                }
                summary.failed += uncaptioned.count
                do {
                    let captioned = pending.filter { !$0.item.captions.isEmpty }
                    submitted =
                        try await error.accepted
                        + ingestion.submit(IngestBatching.split(captioned, maxItems: batchSize))
                } catch {
                    throw CommandFailure(
                        status: ExitStatus.status(for: error.underlying), message: Self.refusal(error, scan: scan))
                }
            } catch {
                throw CommandFailure(
                    status: ExitStatus.status(for: error.underlying), message: Self.refusal(error, scan: scan))
            }
            let terminal = Output.standardErrorIsTerminal
            var display = ProgressDisplay(toTerminal: terminal, unit: "files", showsRate: true)
            let report = try await ingestion.waitForCompletion(of: submitted) { progress in
                if terminal || !json { display.show(progress) }
            }
            display.finish()
            summary.unchanged = report.unchanged
            summary.ingested = report.inserted + report.updated
            summary.failed += report.failed
            failedJobs = report.failedJobs
            for jobID in report.failedJobs { Output.error("job \(jobID) failed as a whole") }
            for failure in report.errors {
                Output.error("\(failure.id ?? "job \(failure.jobID)"): \(failure.message)")
            }
        }
        if prune && scan.photos.isEmpty && scan.problems.isEmpty {
            // An unmounted photo disk leaves an empty mount point: that is no reason to delete every item.
            Output.error("warning: \(scan.root) holds no photos at all; nothing is pruned")
        } else if prune {
            let gone = try await FolderPrune.goneItems(under: scan.root, client: connection.adminClient)
            for id in gone {
                _ = try await connection.adminClient.delete(id: id)
            }
            summary.pruned = gone.count
        }
        let elapsed = (clock.now - start).components
        summary.seconds = Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18

        if json {
            try Output.json(summary)
        } else {
            print(
                "ingested \(scan.root): \(summary.seen) photos in "
                    + String(format: "%.1f s (%.1f files/s)", summary.seconds, summary.filesPerSecond))
            print(
                "  new or changed \(summary.ingested), unchanged \(summary.unchanged), failed \(summary.failed), "
                    + "pruned \(summary.pruned), skipped \(summary.skipped)")
        }
        if summary.failed > 0 || !failedJobs.isEmpty {
            throw CommandFailure(status: ExitStatus.itemsFailed, message: nil)
        }
    }

    /// A refused batch, with the daemon's `items[17]` named as the photo it is (entries are numbered from 1 in
    /// the scan's photo order; a batch need not hold consecutive ones once uncaptioned photos were left out).
    static func refusal(_ error: BatchRefusedError, scan: FolderScan) -> String {
        guard let position = error.refusedEntry.map({ $0.entry.lineNumber - 1 }), scan.photos.indices.contains(position)
        else { return error.description }
        let accepted =
            error.accepted.isEmpty
            ? "" : "; \(error.accepted.count) earlier batch(es) were accepted and will still be ingested"
        return "the daemon refused a batch at \(scan.photos[position].relativePath): \(error.underlying)\(accepted)"
    }
}
