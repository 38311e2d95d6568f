import ArgumentParser
import GlimpseAPI

struct ItemCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "item", abstract: "Show one stored item by its id (by default its absolute image path).")

    @OptionGroup var connection: ConnectionOptions

    @Argument(help: "The item's id.")
    var id: String

    @Flag(help: "Print the daemon's JSON answer.")
    var json = false

    func run() async throws {
        let item = try await connection.client.item(id: id)
        if json {
            try Output.json(item)
            return
        }
        print("id        \(item.id)")
        print("image     \(item.imagePath)")
        print("hash      \(item.contentHash)")
        print("vectors   \(item.vectors)")
        print("created   \(item.createdAt)")
        print("updated   \(item.updatedAt)")
        for (language, caption) in item.captions.sorted(by: { $0.key < $1.key }) {
            print("caption   \(language): \(caption)")
        }
        if let fields = item.fields { print("fields    \(ListCommand.describe(fields))") }
    }
}
