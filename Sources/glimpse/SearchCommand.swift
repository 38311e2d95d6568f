import ArgumentParser
import GlimpseAPI
import GlimpseClient

struct SearchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Search the images by a text query in any language, or by an example image (--image).")

    @OptionGroup var connection: ConnectionOptions

    @Argument(help: "The query, e.g. 狗 or \"a dog on grass\".")
    var query: String?

    @Option(
        help: ArgumentHelp(
            "Search by this example image (JPEG, PNG or WebP) instead of a text query.", valueName: "file"))
    var image: String?

    @Option(name: .short, help: "Number of results (1–100).")
    var k = 10

    @Option(help: "HNSW search breadth for this query (default: the daemon's).")
    var ef: Int?

    @Flag(
        help:
            "Search the query text alone, without cross-lingual alignment (dictionary translations, mixed-query parts)."
    )
    var noAlign = false

    @OptionGroup var page: PageOptions

    @Flag(help: "Print the daemon's JSON answer instead of a table.")
    var json = false

    func validate() throws {
        guard (query == nil) != (image == nil) else {
            throw ValidationError("give either a text query or --image FILE, not both and not neither")
        }
    }

    func run() async throws {
        let response =
            if let image {
                try await searchByImage(file: image)
            } else {
                try await connection.client.search(
                    query ?? "", k: k, ef: ef, align: noAlign ? false : nil, page: page.options)
            }
        if json {
            try Output.json(response)
            return
        }
        if let requested = response.efRequested {
            Output.standardError(
                "glimpse: note: ef \(requested) is below the \(response.ef) vectors this search fetches; searched with ef \(response.ef)"
            )
        }
        guard !response.results.isEmpty else {
            print(image.map { "no results for the image \($0)" } ?? "no results for \"\(query ?? "")\"")
            return
        }
        Self.printResults(response)
    }

    /// The results table, and how to get the next page.
    static func printResults(_ response: SearchResponse) {
        print(
            TextTable.render(
                header: ["RANK", "SCORE", "ID", "IMAGE", "LANG", "CAPTION"],
                rows: response.results.enumerated().map { rank, result in
                    let (language, caption) = Self.matchedCaption(of: result)
                    return [
                        String((response.offset ?? 0) + rank + 1), formatScore(result.score), result.id,
                        result.imagePath, language, caption,
                    ]
                },
                rightAligned: [0, 1]))
        if let next = response.nextCursor { print("next page: --cursor \(next)") }
    }

    /// The caption that produced the score, or (for an image match) the item's first caption.
    static func matchedCaption(of result: SearchResult) -> (language: String, caption: String) {
        if let language = result.matched.language, let caption = result.captions[language] {
            return (language, caption)
        }
        let first = result.captions.sorted { $0.key < $1.key }.first
        return (result.matched.language ?? "-", first?.value ?? "")
    }
}

private func formatScore(_ score: Float) -> String {
    let scaled = (Double(score) * 10_000).rounded() / 10_000
    var text = String(scaled)
    if let dot = text.firstIndex(of: ".") {
        let decimals = text.distance(from: dot, to: text.endIndex) - 1
        if decimals < 4 { text += String(repeating: "0", count: 4 - decimals) }
    }
    return text
}
