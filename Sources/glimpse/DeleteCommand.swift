import ArgumentParser
import GlimpseAPI

struct DeleteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete", abstract: "Delete one item by its id; search never returns it again.")

    @OptionGroup var connection: ConnectionOptions

    @Argument(help: "The item's id (by default its absolute image path).")
    var id: String

    @Flag(help: "Print the daemon's JSON answer.")
    var json = false

    func run() async throws {
        let deleted = try await connection.adminClient.delete(id: id)
        if json {
            try Output.json(deleted)
        } else {
            print("deleted \(deleted.id) (\(deleted.tombstonedVectors) vectors tombstoned)")
        }
    }
}
