import Foundation
import GlimpseAPI

/// A batch the daemon accepted, with the manifest entries it holds (in request order, so a job's
/// per-item `index` maps back to a manifest line).
public struct SubmittedBatch: Sendable, Equatable {
    public var jobID: Int64
    public var entries: [ManifestEntry]

    public init(jobID: Int64, entries: [ManifestEntry]) {
        self.jobID = jobID
        self.entries = entries
    }
}

/// Items processed so far over all jobs of one manifest.
public struct IngestProgress: Sendable, Equatable {
    public var total: Int
    /// Items finished, successfully or not.
    public var processed: Int
    public var failed: Int
    public var jobsFinished: Int
    public var jobs: Int

    public init(total: Int, processed: Int, failed: Int, jobsFinished: Int, jobs: Int) {
        self.total = total
        self.processed = processed
        self.failed = failed
        self.jobsFinished = jobsFinished
        self.jobs = jobs
    }
}

/// One item the daemon could not ingest, pointed back at its manifest line.
public struct IngestItemError: Sendable, Equatable {
    public var jobID: Int64
    public var lineNumber: Int?
    public var id: String?
    public var message: String

    public init(jobID: Int64, lineNumber: Int?, id: String?, message: String) {
        self.jobID = jobID
        self.lineNumber = lineNumber
        self.id = id
        self.message = message
    }
}

/// What a whole manifest ingestion did.
public struct IngestReport: Sendable, Equatable {
    public var jobIDs: [Int64] = []
    public var total = 0
    public var inserted = 0
    public var updated = 0
    public var unchanged = 0
    public var failed = 0
    public var errors: [IngestItemError] = []
    /// Jobs that ended in the `failed` state as a whole.
    public var failedJobs: [Int64] = []

    public var allSucceeded: Bool { failed == 0 && failedJobs.isEmpty }
}

/// A batch the daemon refused or that could not be sent; batches sent before it were accepted and will still be processed.
public struct BatchRefusedError: Error, Sendable, CustomStringConvertible {
    public var batchNumber: Int
    public var batchCount: Int
    public var lines: ClosedRange<Int>
    public var accepted: [SubmittedBatch]
    public var underlying: GlimpseClientError

    public var description: String {
        // Nothing sent yet and no verdict on the items: the transport problem is the whole story.
        if underlying.kind != .api && accepted.isEmpty { return underlying.description }
        let batch = "batch \(batchNumber) of \(batchCount) (manifest lines \(lines.lowerBound)–\(lines.upperBound))"
        var text =
            underlying.kind == .api ? "\(batch) was refused: \(underlying)" : "sending \(batch) failed: \(underlying)"
        if let hint = lineHint { text += " (\(hint))" }
        if !accepted.isEmpty {
            text +=
                "; \(accepted.count) earlier batch(es) were accepted as job(s) \(accepted.map { String($0.jobID) }.joined(separator: ", "))"
        }
        return text
    }

    /// The entry the daemon's `items[17]…` names, with its position in the refused batch.
    public var refusedEntry: (index: Int, entry: ManifestEntry)? {
        guard underlying.kind == .api,
            let match = underlying.message.firstMatch(of: /items\[(\d+)\]/), let index = Int(match.1),
            entries.indices.contains(index)
        else { return nil }
        return (index, entries[index])
    }

    /// Points the daemon's `items[17]…` at the manifest line it came from.
    var lineHint: String? {
        refusedEntry.map { "items[\($0.index)] is manifest line \($0.entry.lineNumber)" }
    }

    var entries: [ManifestEntry] = []
}

/// Sends a manifest's batches and follows the jobs they create until the daemon has processed every item.
public struct ManifestIngestion: Sendable {
    public let client: GlimpseClient
    public let pollInterval: Duration

    public init(client: GlimpseClient, pollInterval: Duration = .milliseconds(200)) {
        self.client = client
        self.pollInterval = pollInterval
    }

    /// Sends every batch in order; stops at the first refusal, reporting what was already accepted.
    public func submit(_ batches: [[ManifestEntry]]) async throws(BatchRefusedError) -> [SubmittedBatch] {
        var submitted: [SubmittedBatch] = []
        for (offset, batch) in batches.enumerated() {
            do {
                let accepted = try await client.ingest(batch.map(\.item))
                submitted.append(SubmittedBatch(jobID: accepted.jobID, entries: batch))
            } catch {
                let first = batch.first?.lineNumber ?? 0
                throw BatchRefusedError(
                    batchNumber: offset + 1, batchCount: batches.count,
                    lines: first...(batch.last?.lineNumber ?? first), accepted: submitted, underlying: error,
                    entries: batch)
            }
        }
        return submitted
    }

    /// Polls each job in turn until it is finished, calling `onProgress` after every poll.
    public func waitForCompletion(
        of submitted: [SubmittedBatch], onProgress: (IngestProgress) -> Void = { _ in }
    ) async throws(GlimpseClientError) -> IngestReport {
        var report = IngestReport()
        report.jobIDs = submitted.map(\.jobID)
        let total = submitted.reduce(0) { $0 + $1.entries.count }
        var processedInFinishedJobs = 0
        for (position, batch) in submitted.enumerated() {
            var job = try await client.job(id: batch.jobID)
            while true {
                let processed = processedInFinishedJobs + (job.state.isFinished ? job.total : job.done + job.failed)
                onProgress(
                    IngestProgress(
                        total: total, processed: processed, failed: report.failed + job.failed,
                        jobsFinished: position + (job.state.isFinished ? 1 : 0), jobs: submitted.count))
                if job.state.isFinished { break }
                do {
                    try await Task.sleep(for: pollInterval)
                } catch {
                    throw GlimpseClientError(
                        kind: .transport, socketPath: client.socketPath,
                        message: "waiting for job \(batch.jobID) was cancelled")
                }
                job = try await client.job(id: batch.jobID)
            }
            processedInFinishedJobs += job.total
            Self.add(job, of: batch, to: &report)
        }
        return report
    }

    static func add(_ job: JobResponse, of batch: SubmittedBatch, to report: inout IngestReport) {
        report.total += job.total
        report.inserted += job.inserted
        report.updated += job.updated
        report.unchanged += job.unchanged
        report.failed += job.failed
        if job.state == .failed { report.failedJobs.append(job.id) }
        for failure in job.errors {
            let entry = batch.entries.indices.contains(failure.index) ? batch.entries[failure.index] : nil
            report.errors.append(
                IngestItemError(
                    jobID: job.id, lineNumber: entry?.lineNumber, id: failure.id ?? entry?.effectiveID,
                    message: failure.message))
        }
    }
}
