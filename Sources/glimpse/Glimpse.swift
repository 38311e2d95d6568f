import ArgumentParser
import GlimpseAPI

struct Glimpse: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "glimpse",
        abstract: "Ingest captioned images into glimpsed and search them in any language.",
        discussion: """
            Talks to the glimpsed daemon over its Unix sockets: search, status, item, job and health use the \
            query socket (--socket, default $GLIMPSE_SOCKET, else /run/glimpse/glimpse.sock); ingest, delete and \
            rebuild use the admin socket (--admin-socket, default $GLIMPSE_ADMIN_SOCKET, else /run/glimpse/admin.sock).

            EXIT STATUS
              0  success
              1  ingest finished, but some items failed (listed on stderr); job: the job or some of its items failed
              2  usage error, malformed manifest, or request refused (HTTP 4xx)
              3  daemon unreachable, timed out, failed (HTTP 5xx) or unreadable
            """,
        version: GlimpseVersion.current,
        subcommands: [
            IngestCommand.self, SearchCommand.self, StatusCommand.self, ItemCommand.self, DeleteCommand.self,
            RebuildCommand.self, JobCommand.self, ListCommand.self, SimilarCommand.self,
            HealthCommand.self, RecognizeCommand.self,
        ]
    )

    @OptionGroup var connection: ConnectionOptions
}
