import ArgumentParser
import GlimpseAPI
import GlimpseClient

struct RebuildCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rebuild",
        abstract: "Rebuild the indexes from the catalog (compacting deleted vectors) while searches keep being served.",
        discussion: """
            Parameters given here apply to this rebuild; at the next start glimpsed rebuilds again if its \
            configured hnsw_m / hnsw_ef_construction differ, so change the configuration too to keep them.
            """)

    @OptionGroup var connection: ConnectionOptions

    @Option(name: .customLong("m"), help: "HNSW M for the new index (default: the daemon's configured one).")
    var m: Int?

    @Option(help: "HNSW efConstruction for the new index (default: the daemon's configured one).")
    var efConstruction: Int?

    @Flag(help: "Embed every caption again with the daemon's current model first (after replacing the model file).")
    var reembed = false

    @Flag(help: "Return once the rebuild is queued instead of following it.")
    var noWait = false

    func run() async throws {
        let client = connection.adminClient
        let accepted = try await client.rebuild(m: m, efConstruction: efConstruction, reembed: reembed)
        if noWait {
            print("rebuild queued as job \(accepted.jobID); follow it with: glimpse job \(accepted.jobID)")
            return
        }
        var display = ProgressDisplay(toTerminal: Output.standardErrorIsTerminal, task: "rebuild", unit: "vectors")
        var job = try await client.job(id: accepted.jobID)
        while true {
            display.show(
                IngestProgress(total: job.total, processed: job.done, failed: job.failed, jobsFinished: 0, jobs: 1))
            if job.state.isFinished { break }
            try await Task.sleep(for: .milliseconds(200))
            job = try await client.job(id: accepted.jobID)
        }
        display.finish()
        guard job.state == .done else {
            let reason = job.errors.first?.message ?? "see the daemon log"
            Output.standardError("glimpse: rebuild job \(job.id) failed: \(reason)")
            throw ExitCode(1)
        }
        print("rebuilt the indexes from \(job.done) vectors (job \(job.id))")
    }
}
