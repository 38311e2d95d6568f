import ArgumentParser
import GlimpseAPI

struct DeleteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete",
        abstract: "Delete one item by its id, or every item matching --filter; search never returns them again.")

    @OptionGroup var connection: ConnectionOptions

    @Argument(help: "The item's id (by default its absolute image path).")
    var id: String?

    @Option(
        help: ArgumentHelp("Delete every item matching this filter (JSON, see docs/api.md).", valueName: "json"))
    var filter: String?

    @Flag(help: "With --filter: only count the items that would be deleted.")
    var dryRun = false

    @Flag(help: "Print the daemon's JSON answer.")
    var json = false

    func validate() throws {
        guard (id == nil) != (filter == nil) else {
            throw ValidationError("give either an item id or --filter JSON, not both and not neither")
        }
        if dryRun && filter == nil { throw ValidationError("--dry-run goes with --filter") }
    }

    func run() async throws {
        if let filter {
            let result = try await connection.adminClient.deleteItems(filter: filter, dryRun: dryRun)
            if json {
                try Output.json(result)
            } else if result.dryRun {
                print("\(result.matched) items match; nothing deleted (dry run)")
            } else {
                print("deleted \(result.matched) items (\(result.tombstonedVectors) vectors tombstoned)")
            }
            return
        }
        let deleted = try await connection.adminClient.delete(id: id ?? "")
        if json {
            try Output.json(deleted)
        } else {
            print("deleted \(deleted.id) (\(deleted.tombstonedVectors) vectors tombstoned)")
        }
    }
}
