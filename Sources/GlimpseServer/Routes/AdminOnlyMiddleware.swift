import GlimpseAPI
import Hummingbird

/// Guards the admin route group: on the query socket every route of the group answers 403 and says where to send
/// the request instead; on the admin socket it lets the request through (`PeerCredentialsMiddleware` has already
/// named the peer in the request's logger). Registering the admin routes on both sockets, behind this, keeps the
/// query socket's answer a clear refusal rather than a 404.
struct AdminOnlyMiddleware<Context: RequestContext>: RouterMiddleware {
    let role: SocketRole

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        guard role == .admin else {
            // The matched route's template ("/v1/items/{id}"), so the message names the action, not one item.
            throw Self.refusal(for: "\(request.method) \(context.endpointPath ?? request.uri.path)")
        }
        return try await next(request, context)
    }

    static func refusal(for action: String) -> APIErrorResponse {
        APIErrorResponse(
            status: .forbidden, code: .adminSocketRequired,
            message:
                "\(action) changes the catalog and is served only on the admin socket (admin_socket_path), not on the query socket"
        )
    }
}
