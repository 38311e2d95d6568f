import ArgumentParser
import GlimpseClient

/// `--filter`, `--offset`, `--cursor`, `--min-score` of the search commands.
struct PageOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Only items matching this filter (JSON, see docs/api.md), e.g. '{\"field\":\"owner\",\"eq\":\"u42\"}'.",
            valueName: "json"))
    var filter: String?

    @Option(help: "Skip this many results (offset + k ≤ 250).")
    var offset: Int?

    @Option(help: "Continue after the page that printed this cursor.")
    var cursor: String?

    @Option(help: "Leave out results scoring below this.")
    var minScore: Float?

    var options: SearchPageOptions {
        SearchPageOptions(filter: filter, offset: offset, cursor: cursor, minScore: minScore)
    }
}
