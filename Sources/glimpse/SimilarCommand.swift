import ArgumentParser
import GlimpseAPI
import GlimpseClient

struct SimilarCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "similar", abstract: "Items like a stored item (searched with its own vectors), never itself.")

    @OptionGroup var connection: ConnectionOptions

    @Argument(help: "The item's id.")
    var id: String

    @Option(name: .short, help: "Number of results (1–100).")
    var k = 10

    @Option(help: "HNSW search breadth (default: the daemon's).")
    var ef: Int?

    @OptionGroup var page: PageOptions

    @Flag(help: "Print the daemon's JSON answer instead of a table.")
    var json = false

    func run() async throws {
        let response = try await connection.client.similar(id: id, k: k, ef: ef, page: page.options)
        if json {
            try Output.json(response)
        } else if response.results.isEmpty {
            print("no items like \(id)")
        } else {
            SearchCommand.printResults(response)
        }
    }
}
