import ArgumentParser
import GlimpseAPI
import GlimpseClient

struct ListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List stored items, optionally only those matching a filter.")

    @OptionGroup var connection: ConnectionOptions

    @Option(help: ArgumentHelp("Only items matching this filter (JSON, see docs/api.md).", valueName: "json"))
    var filter: String?

    @Option(help: "Items per page (1–1000).")
    var limit = 100

    @Option(help: "Continue after the page that printed this cursor.")
    var cursor: String?

    @Flag(help: "Follow the cursors and list every matching item.")
    var all = false

    @Flag(help: "Print the daemon's JSON answer (one per page) instead of a table.")
    var json = false

    func run() async throws {
        var cursor = self.cursor
        repeat {
            let page = try await connection.client.listItems(filter: filter, limit: limit, cursor: cursor)
            if json {
                try Output.json(page)
            } else {
                if !page.items.isEmpty {
                    print(
                        TextTable.render(
                            header: ["ID", "IMAGE", "VECTORS", "FIELDS"],
                            rows: page.items.map { item in
                                [item.id, item.imagePath, String(item.vectors), Self.describe(item.fields)]
                            }, rightAligned: [2]))
                }
                if !all, let next = page.nextCursor { print("next page: --cursor \(next)") }
            }
            cursor = page.nextCursor
        } while all && cursor != nil
    }

    static func describe(_ fields: [String: JSONValue]?) -> String {
        guard let fields else { return "" }
        return fields.keys.sorted().map { name in
            switch fields[name]! {
            case .string(let text): "\(name)=\(text)"
            case .number(let number): "\(name)=\(number.rounded() == number ? String(Int64(number)) : String(number))"
            case .bool(let flag): "\(name)=\(flag)"
            case .array(let values):
                "\(name)=["
                    + values.compactMap { if case .string(let text) = $0 { text } else { nil } }.joined(separator: ",")
                    + "]"
            default: "\(name)=?"
            }
        }.joined(separator: " ")
    }
}
