import GlimpseAPI
import Logging
import NIOCore
import NIOHTTP1

/// Sits right after NIO's HTTP/1 decoder, before Hummingbird sees a request, and handles what Hummingbird leaves
/// to the transport:
/// - parser errors (over-long request line or headers, an HTTP/2 preface, a bare LF, NUL in a header, both
///   Content-Length and Transfer-Encoding) are answered 400 `malformed_request` with the JSON error body, then the
///   connection is closed (Hummingbird would answer an empty 400);
/// - an HTTP/1.0 request without `Connection: keep-alive` is answered with `Connection: close` and the connection
///   closed, as HTTP/1.0 expects;
/// - `HEAD` is served as `GET` without the body (same status and headers, Content-Length included);
/// - a connection over the socket's cap answers only health checks (see `ConnectionAdmission`);
/// - on shutdown, a connection still open after the grace period is closed.
/// It also tells `RequestPaceHandler` where each request ends and each answer begins and ends.
final class HTTPEdgeHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    /// What an answer must do differently, noted when its request arrives (answers go out in request order).
    private struct Pending {
        var isHead: Bool
        var close: Bool
        /// HTTP/1.0 with `Connection: keep-alive`: the answer must say keep-alive too, or the client closes.
        var keepAlive10: Bool
    }

    private let pace: RequestPaceHandler
    private let admission: ConnectionAdmission
    private let limits: ConnectionLimits
    private let logger: Logger
    private var pending: [Pending] = []
    private var answering = false
    /// Set once this handler has answered by itself; the rest of the connection is ignored until it closes.
    private var finished = false
    private var shutdownClose: Scheduled<Void>?

    init(pace: RequestPaceHandler, admission: ConnectionAdmission, limits: ConnectionLimits, logger: Logger) {
        self.pace = pace
        self.admission = admission
        self.limits = limits
        self.logger = logger
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        shutdownClose?.cancel()
        shutdownClose = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        shutdownClose?.cancel()
        shutdownClose = nil
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !finished else { return }
        switch unwrapInboundIn(data) {
        case .head(var head):
            if admission == .healthOnly, !Self.isHealthCheck(head) {
                answer(
                    context: context, status: .serviceUnavailable, code: .tooManyConnections,
                    message:
                        "the socket already serves its maximum of \(limits.maxConnections) connections; try again later (GET /v1/health is still answered)"
                )
                return
            }
            let http10Close = head.version == .http1_0 && !head.isKeepAlive
            let close = http10Close || admission == .healthOnly
            if close {
                // Hummingbird ends the connection after answering a request that says `Connection: close`.
                head.headers.replaceOrAdd(name: "connection", value: "close")
            }
            let isHead = head.method == .HEAD
            if isHead { head.method = .GET }
            let keepAlive10 = head.version == .http1_0 && !close
            pending.append(Pending(isHead: isHead, close: close, keepAlive10: keepAlive10))
            context.fireChannelRead(wrapInboundOut(.head(head)))
        case .body:
            context.fireChannelRead(data)
        case .end:
            pace.requestArrived()
            context.fireChannelRead(data)
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(var head):
            answering = true
            pace.answerBegan()
            if pending.first?.close == true { head.headers.replaceOrAdd(name: "connection", value: "close") }
            if pending.first?.keepAlive10 == true {
                head.headers.replaceOrAdd(name: "connection", value: "keep-alive")
            }
            context.write(wrapOutboundOut(.head(head)), promise: promise)
        case .body:
            if pending.first?.isHead == true {
                promise?.succeed(())  // HEAD: the headers of GET, no body
                return
            }
            context.write(data, promise: promise)
        case .end:
            if !pending.isEmpty { pending.removeFirst() }
            answering = false
            pace.answerFinished()
            context.write(data, promise: promise)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let parserError = error as? HTTPParserError else {
            context.fireErrorCaught(error)
            return
        }
        logger.debug("malformed HTTP request", metadata: ["error": "\(parserError)"])
        guard !finished, !answering else {
            // An answer is already on its way: no second one can follow it on this connection.
            context.close(promise: nil)
            return
        }
        answer(context: context, status: .badRequest, code: .malformedRequest, message: Self.message(for: parserError))
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ChannelShouldQuiesceEvent, shutdownClose == nil {
            // Hummingbird closes idle connections now and busy ones after their answer; this bounds the busy ones.
            shutdownClose = context.eventLoop.assumeIsolated().scheduleTask(
                in: .nanoseconds(limits.shutdownGracePeriod.nanoseconds)
            ) { [logger] in
                logger.notice("closing a connection still open after the shutdown grace period")
                context.close(promise: nil)
            }
        }
        context.fireUserInboundEventTriggered(event)
    }

    /// Answers by itself with the JSON error body and closes the connection once the answer is written.
    private func answer(
        context: ChannelHandlerContext, status: HTTPResponseStatus, code: APIErrorCode, message: String
    ) {
        finished = true
        pace.answerBegan()
        let body = ErrorEnvelope.body(code: code, message: message)
        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: "application/json; charset=utf-8")
        headers.add(name: "content-length", value: "\(body.readableBytes)")
        headers.add(name: "connection", value: "close")
        context.write(
            wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in
            context.close(promise: nil)
        }
    }

    private static func isHealthCheck(_ head: HTTPRequestHead) -> Bool {
        guard head.method == .GET || head.method == .HEAD else { return false }
        let path = head.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        return path == "/v1/health"
    }

    static func message(for error: HTTPParserError) -> String {
        switch error {
        case .headerOverflow:
            "the request line or headers are too long (the limit is 80 KiB); send long queries with POST /v1/search"
        case .invalidMethod, .invalidVersion:
            "not an HTTP/1.1 request (\(error)); the daemon speaks HTTP/1.1 only, over its Unix sockets"
        case .unexpectedContentLength:
            "the request has both Content-Length and Transfer-Encoding; send only one"
        case .lfExpected:
            "malformed HTTP request: lines must end with CRLF"
        case .invalidHeaderToken, .invalidCharactersUsed:
            "malformed HTTP request: a header holds a character HTTP does not allow (\(error))"
        default:
            "malformed HTTP request (\(error))"
        }
    }
}
