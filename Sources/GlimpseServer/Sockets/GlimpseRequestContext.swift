import Hummingbird
import Logging
import NIOCore

/// The request context of both servers: Hummingbird's core storage plus the connection's channel, which the
/// admin server asks for the peer's credentials.
struct GlimpseRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel
    /// Set on the admin socket by `PeerCredentialsMiddleware` before any handler runs.
    var peer: PeerCredentials?

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
        peer = nil
    }
}
