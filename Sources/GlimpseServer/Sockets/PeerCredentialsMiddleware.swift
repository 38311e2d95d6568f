import Hummingbird
import Logging

/// On the admin socket: reads the peer's credentials once per request and puts them in the request's logger, so
/// every admin action is logged with the pid, uid and gid that asked for it. A connection whose peer cannot be
/// identified is refused rather than served anonymously.
struct PeerCredentialsMiddleware: RouterMiddleware {
    typealias Context = GlimpseRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        var context = context
        do {
            let peer = try await PeerCredentials.of(context.channel)
            context.peer = peer
            for (key, value) in peer.metadata { context.logger[metadataKey: key] = value }
        } catch {
            context.logger.error("cannot read the admin socket peer's credentials", metadata: ["error": "\(error)"])
            throw APIErrorResponse(
                status: .forbidden, code: .peerUnknown,
                message: "the admin socket could not identify the connecting process")
        }
        return try await next(request, context)
    }
}
