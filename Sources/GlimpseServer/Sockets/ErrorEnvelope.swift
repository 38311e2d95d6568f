import Foundation
import GlimpseAPI
import NIOCore

/// The API's `{"error": {"code", "message"}}` body for answers written below Hummingbird's router (parser errors,
/// cut-off requests, refused connections), where `APIErrorResponse` cannot reach.
enum ErrorEnvelope {
    static func body(code: APIErrorCode, message: String) -> ByteBuffer {
        let data = (try? JSONEncoder().encode(ErrorResponse(code: code, message: message))) ?? Data("{}".utf8)
        return ByteBuffer(bytes: data)
    }

    /// A whole HTTP/1.1 answer as bytes, for the handler in front of the HTTP codec; it always closes the connection.
    static func rawResponse(status: Int, reason: String, code: APIErrorCode, message: String) -> ByteBuffer {
        let body = body(code: code, message: message)
        var buffer = ByteBuffer()
        buffer.writeString(
            "HTTP/1.1 \(status) \(reason)\r\ncontent-type: application/json; charset=utf-8\r\n"
                + "content-length: \(body.readableBytes)\r\nconnection: close\r\n\r\n")
        buffer.writeImmutableBuffer(body)
        return buffer
    }
}
