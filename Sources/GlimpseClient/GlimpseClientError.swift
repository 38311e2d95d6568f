import Foundation
import GlimpseAPI

/// Why a call to the daemon failed, told apart so that callers (and the CLI's exit codes) can react differently:
/// nobody listening on the socket, the daemon refusing the request, or an answer the client cannot read.
public struct GlimpseClientError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, Equatable {
        /// Nothing answers on the socket: no socket file, connection refused, permission denied.
        case unreachable
        /// The daemon accepted the connection but did not answer in time.
        case timedOut
        /// The connection broke mid-request, or another transport failure.
        case transport
        /// The daemon answered with an error status; `status`, `code` and `message` come from its JSON error body.
        case api
        /// The daemon answered, but not with what this endpoint promises.
        case undecodableResponse
        /// The request could not even be built (e.g. a socket path that does not fit in a URL).
        case invalidRequest
    }

    public var kind: Kind
    public var socketPath: String
    /// HTTP status, for `.api` and `.undecodableResponse`.
    public var status: Int?
    /// The server's error code (`invalid_query`, `not_found`, …), for `.api`.
    public var code: String?
    public var message: String

    public init(kind: Kind, socketPath: String, status: Int? = nil, code: String? = nil, message: String) {
        self.kind = kind
        self.socketPath = socketPath
        self.status = status
        self.code = code
        self.message = message
    }

    /// One line, fit for `glimpse: <description>` on stderr.
    public var description: String {
        switch kind {
        case .unreachable:
            "cannot reach glimpsed at \(socketPath): \(message) (is glimpsed running?)"
        case .timedOut:
            "glimpsed at \(socketPath) \(message)"
        case .transport:
            "talking to glimpsed at \(socketPath) failed: \(message)"
        case .api:
            "\(status.map(String.init) ?? "?") \(code ?? "error"): \(message)"
        case .undecodableResponse:
            "unexpected answer from glimpsed at \(socketPath): \(message)"
        case .invalidRequest:
            "cannot build the request: \(message)"
        }
    }

    /// Maps a non-2xx answer to an `.api` error, reading the daemon's `{"error": {"code", "message"}}` body; a body
    /// of another shape (a proxy, an old daemon) still gives the status and the start of the text.
    public static func fromErrorAnswer(status: Int, body: Data, socketPath: String) -> GlimpseClientError {
        if let decoded = try? JSONDecoder().decode(ErrorResponse.self, from: body) {
            return GlimpseClientError(
                kind: .api, socketPath: socketPath, status: status, code: decoded.error.code,
                message: decoded.error.message)
        }
        let text = String(decoding: body.prefix(200), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return GlimpseClientError(
            kind: .api, socketPath: socketPath, status: status, code: APIErrorCode.clientCode(forStatus: status),
            message: text.isEmpty ? "the daemon answered HTTP \(status) without an error body" : text)
    }
}
