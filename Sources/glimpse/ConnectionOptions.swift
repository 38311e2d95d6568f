import ArgumentParser
import GlimpseClient

/// `--socket` and `--admin-socket`, accepted before or after the subcommand name. Reading commands use the query
/// socket; ingest, delete and rebuild need the admin socket (0600 by default: run them as the daemon's user).
struct ConnectionOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "Path of glimpsed's query socket (default: $GLIMPSE_SOCKET, else /run/glimpse/glimpse.sock).",
            valueName: "path"))
    var socket: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Path of glimpsed's admin socket, for ingest, delete and rebuild (default: $GLIMPSE_ADMIN_SOCKET, else /run/glimpse/admin.sock).",
            valueName: "path"))
    var adminSocket: String?

    var socketPath: String { socket ?? GlimpseClient.defaultSocketPath() }
    var adminSocketPath: String { adminSocket ?? GlimpseClient.defaultAdminSocketPath() }

    var client: GlimpseClient { GlimpseClient(socketPath: socketPath) }
    /// For commands that change the catalog; it also reads the jobs they queue.
    var adminClient: GlimpseClient { GlimpseClient(socketPath: adminSocketPath) }
}
