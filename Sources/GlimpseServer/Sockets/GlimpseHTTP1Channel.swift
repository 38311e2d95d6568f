import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1

/// Hummingbird's HTTP/1 child channel with the daemon's connection rules around it: each accepted connection is
/// counted against the socket's cap, and its pipeline gets `RequestPaceHandler` in front (raw bytes) and
/// `HTTPEdgeHandler` right after the HTTP decoder, where Hummingbird's `additionalChannelHandlers` (placed after
/// the conversion to HTTPTypes) would be too late to see parser errors or the HTTP version.
struct GlimpseHTTP1Channel: ServerChildChannel {
    typealias Value = HTTP1Channel.Value

    let http1: HTTP1Channel
    let limits: ConnectionLimits
    let connections: ConnectionCounter

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let admission = connections.admit()
        channel.closeFuture.whenComplete { [connections] _ in connections.release() }
        let limits = self.limits
        return http1.setup(channel: channel, logger: logger).flatMapThrowing { value in
            let pipeline = channel.pipeline.syncOperations
            let pace = RequestPaceHandler(limits: limits, logger: logger)
            try pipeline.addHandler(pace, position: .first)
            let decoder = try pipeline.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self)
            try pipeline.addHandler(
                HTTPEdgeHandler(pace: pace, admission: admission, limits: limits, logger: logger),
                position: .after(decoder))
            if admission == .refused {
                logger.warning(
                    "connection refused: over the socket's connection cap and its health-check reserve",
                    metadata: ["max_connections": "\(limits.maxConnections)"])
                channel.close(promise: nil)
            }
            return value
        }
    }

    func handle(value: Value, logger: Logger) async {
        await http1.handle(value: value, logger: logger)
    }
}
