import ArgumentParser

struct HealthCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "health", abstract: "Check that glimpsed answers (exit 0 and print ok if it does).")

    @OptionGroup var connection: ConnectionOptions

    func run() async throws {
        let health = try await connection.client.health()
        print(health.status)
    }
}
