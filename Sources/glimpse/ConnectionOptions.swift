import ArgumentParser
import GlimpseClient

/// `--socket`, accepted before or after the subcommand name.
struct ConnectionOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "Path of glimpsed's Unix socket (default: $GLIMPSE_SOCKET, else /run/glimpse/glimpse.sock).",
            valueName: "path"))
    var socket: String?

    var socketPath: String { socket ?? GlimpseClient.defaultSocketPath() }

    var client: GlimpseClient { GlimpseClient(socketPath: socketPath) }
}
