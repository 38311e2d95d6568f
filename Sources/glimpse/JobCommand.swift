import ArgumentParser
import GlimpseAPI

struct JobCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "job", abstract: "Show an ingest job's progress (e.g. after ingest --no-wait).")

    @OptionGroup var connection: ConnectionOptions

    @Argument(help: "The job id printed by ingest.")
    var id: Int64

    @Flag(help: "Print the daemon's JSON answer.")
    var json = false

    func run() async throws {
        let job = try await connection.client.job(id: id)
        if json {
            try Output.json(job)
            return
        }
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
