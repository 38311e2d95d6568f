import ArgumentParser
import GlimpseAPI

struct JobCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "job",
        abstract: "Show an ingest job's progress (e.g. after ingest --no-wait).",
        discussion: "Exits 1 when the job failed or some of its items did, so scripts can tell.")

    @OptionGroup var connection: ConnectionOptions

    @Argument(help: "The job id printed by ingest.")
    var id: Int64

    @Flag(help: "Print the daemon's JSON answer.")
    var json = false

    func run() async throws {
        let job = try await connection.client.job(id: id)
        if json {
            try Output.json(job)
        } else {
            printSummary(job)
        }
        if let status = Self.exitStatus(for: job) { throw CommandFailure(status: status) }
    }

    /// Non-nil when the job failed or some of its items did (the exit status `ingest` gives for failed items); a
    /// job still queued or running, or done without failures, exits 0.
    static func exitStatus(for job: JobResponse) -> Int32? {
        job.state == .failed || job.failed > 0 ? ExitStatus.itemsFailed : nil
    }

    private func printSummary(_ job: JobResponse) {
        print(
            "job \(job.id) (\(job.kind.rawValue)): \(job.state.rawValue), \(job.done + job.failed)/\(job.total) items processed"
        )
        print("  inserted \(job.inserted), updated \(job.updated), unchanged \(job.unchanged), failed \(job.failed)")
        print("  created \(job.createdAt), updated \(job.updatedAt)")
        for failure in job.errors {
            print("  items[\(failure.index)]\(failure.id.map { " \($0)" } ?? ""): \(failure.message)")
        }
    }
}
