import Foundation
import GlimpseAPI
import Logging
import NIOCore

/// First in each connection's pipeline, on raw bytes: bounds how long a request may take to arrive. The clock
/// starts at a request's first byte; the request must be whole within `requestReadTimeout`, and after
/// `minimumRateGracePeriod` it must keep an average of `minimumBytesPerSecond`. A request that misses either is
/// answered 408 `request_timeout` (unless its answer has already begun) and the connection closed.
/// Hummingbird's idle timeout alone cannot do this: every body byte counts as activity.
/// Being first, it also percent-encodes raw UTF-8 in request lines, which the HTTP parser would refuse.
///
/// `HTTPEdgeHandler` tells it where requests end and answers begin; it does not time the wait for the next request
/// (the idle timeout does) nor the handler's work (`RequestDeadline` does).
final class RequestPaceHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = IOData
    typealias OutboundOut = IOData

    private enum State {
        /// Between requests: nothing timed.
        case waiting
        case reading(started: NIODeadline, bytes: Int)
        /// The request arrived whole; its answer is being worked on.
        case responding
        /// Cut off: what still arrives is dropped.
        case cutOff
    }

    private let limits: ConnectionLimits
    private let logger: Logger
    private var state = State.waiting
    private var answerStarted = false
    /// Until the first LF of a request: its request line, where raw UTF-8 is percent-encoded (see below).
    private var inRequestLine = false
    private var check: Scheduled<Void>?
    private var context: ChannelHandlerContext?

    init(limits: ConnectionLimits, logger: Logger) {
        self.limits = limits
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }

    func handlerRemoved(context: ChannelHandlerContext) {
        check?.cancel()
        check = nil
        self.context = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        check?.cancel()
        check = nil
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        let count = buffer.readableBytes
        switch state {
        case .cutOff:
            return
        case .waiting:
            state = .reading(started: .now(), bytes: count)
            answerStarted = false
            inRequestLine = true
        case .reading(let started, let bytes):
            state = .reading(started: started, bytes: bytes + count)
        case .responding:
            break
        }
        if inRequestLine { buffer = percentEncodingRequestLine(buffer) }
        context.fireChannelRead(wrapInboundOut(buffer))
        // Scheduled after the bytes went through: a request that arrived whole in this read needs no timer.
        if case .reading = state, check == nil { scheduleCheck(context: context) }
    }

    /// Browsers and curl send `GET /v1/search?q=狗` with the query's UTF-8 bytes raw, which the HTTP parser refuses;
    /// every byte above 0x7F in the request line becomes `%XX`, so the target reads exactly as `?q=%E7%8B%97`.
    /// (A request pipelined behind another one that is still being answered is passed on unchanged.)
    private func percentEncodingRequestLine(_ buffer: ByteBuffer) -> ByteBuffer {
        let bytes = buffer.readableBytesView
        let lineEnd = bytes.firstIndex(of: UInt8(ascii: "\n"))
        if lineEnd != nil { inRequestLine = false }
        let line = bytes[..<(lineEnd ?? bytes.endIndex)]
        guard line.contains(where: { $0 >= 0x80 }) else { return buffer }
        let hex = Array("0123456789ABCDEF".utf8)
        var rewritten = ByteBuffer()
        rewritten.reserveCapacity(buffer.readableBytes + line.count * 2)
        for byte in line {
            if byte < 0x80 {
                rewritten.writeInteger(byte)
            } else {
                rewritten.writeBytes([UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]])
            }
        }
        rewritten.writeBytes(bytes[line.endIndex...])
        return rewritten
    }

    // MARK: told by HTTPEdgeHandler (same event loop)

    /// The request's last byte arrived.
    func requestArrived() {
        if case .cutOff = state { return }
        state = .responding
        check?.cancel()
        check = nil
    }

    /// Its answer's head was written: a cut-off can no longer answer, only close.
    func answerBegan() { answerStarted = true }

    /// The answer was written whole; the next byte starts the next request's clock.
    func answerFinished() {
        if case .cutOff = state { return }
        if case .responding = state { state = .waiting }
        answerStarted = false
    }

    // MARK: timing

    /// When the request being read must be whole (the deadline) and when it is too slow, given what has arrived.
    private func dueTimes(started: NIODeadline, bytes: Int) -> (deadline: NIODeadline, slow: NIODeadline?) {
        let deadline = started + .nanoseconds(limits.requestReadTimeout.nanoseconds)
        guard limits.minimumBytesPerSecond > 0 else { return (deadline, nil) }
        // Allowed so far: the grace period plus the time `bytes` take at the minimum rate.
        let earned = Int64(bytes) * 1_000_000_000 / Int64(limits.minimumBytesPerSecond)
        return (deadline, started + .nanoseconds(limits.minimumRateGracePeriod.nanoseconds + earned))
    }

    private func scheduleCheck(context: ChannelHandlerContext) {
        guard case .reading(let started, let bytes) = state else { return }
        let due = dueTimes(started: started, bytes: bytes)
        let next = min(due.deadline, due.slow ?? due.deadline)
        check = context.eventLoop.assumeIsolated().scheduleTask(deadline: next) { [self] in
            check = nil
            guard let context = self.context, case .reading(let started, let bytes) = state else { return }
            let due = dueTimes(started: started, bytes: bytes)
            let now = NIODeadline.now()
            if now >= due.deadline {
                cutOff(
                    context: context,
                    message:
                        "the request did not arrive whole within the daemon's request read timeout of \(limits.requestReadTimeout.milliseconds) ms (\(bytes) bytes arrived)"
                )
            } else if let slow = due.slow, now >= slow {
                let elapsed = Double((now - started).nanoseconds) / 1e9
                cutOff(
                    context: context,
                    message:
                        "the request arrived too slowly: \(bytes) bytes in \(String(format: "%.1f", elapsed)) s, below the daemon's minimum of \(limits.minimumBytesPerSecond) bytes/s"
                )
            } else {
                scheduleCheck(context: context)
            }
        }
    }

    private func cutOff(context: ChannelHandlerContext, message: String) {
        state = .cutOff
        logger.notice("request cut off", metadata: ["reason": "\(message)"])
        guard !answerStarted else {
            context.close(promise: nil)
            return
        }
        let answer = ErrorEnvelope.rawResponse(
            status: 408, reason: "Request Timeout", code: .requestTimeout, message: message)
        context.writeAndFlush(wrapOutboundOut(.byteBuffer(answer))).assumeIsolated().whenComplete { _ in
            context.close(promise: nil)
        }
    }
}

extension Duration {
    var milliseconds: Int64 { nanoseconds / 1_000_000 }
}
