import ArgumentParser
import GlimpseAPI

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Show catalog counts, index parameters and the model.")

    @OptionGroup var connection: ConnectionOptions

    @Flag(help: "Print the daemon's JSON answer.")
    var json = false

    func run() async throws {
        let status = try await connection.client.status()
        if json {
            try Output.json(status)
            return
        }
        let catalog = status.catalog
        print("glimpsed \(status.version) on \(connection.socketPath)")
        print("catalog  \(catalog.path)")
        print(
            "  items \(catalog.items), captions \(catalog.captions), vectors \(catalog.vectors) (tombstoned \(catalog.tombstonedVectors))"
        )
        if !catalog.jobs.isEmpty {
            print(
                "  jobs "
                    + catalog.jobs.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        }
        for index in status.indexes {
            print(
                "index    \(index.space): \(index.vectors) vectors, dimension \(index.dimension), M \(index.m), "
                    + "efConstruction \(index.efConstruction), efSearch \(index.efSearchDefault) (max \(index.efSearchMax)), "
                    + "snapshot at vector \(index.snapshotWatermark)")
            let limit =
                index.autoRebuildTombstoneFraction > 0
                ? "automatic rebuild above \(Self.percent(index.autoRebuildTombstoneFraction))" : "no automatic rebuild"
            print(
                "         tombstoned points \(index.tombstonedVectors) (\(Self.percent(index.tombstonedFraction)); \(limit))"
            )
            if index.reembedPending {
                print(
                    "         the model changed: vectors are being embedded again (stored \(index.vectorsModelFingerprint.prefix(24))…, current \(index.modelFingerprint.prefix(24))…)"
                )
            }
        }
        print("model    \(status.model.name) (\(status.model.dimension) dimensions) \(status.model.path)")
    }

    private static func percent(_ fraction: Double) -> String {
        "\((fraction * 1_000).rounded() / 10)%"
    }
}
