import Foundation
import GlimpseAPI
import GlimpseService
import Hummingbird
import Logging

/// Turns every error into the API's JSON error body, so clients always get `{"error": {"code", "message"}}`:
/// service errors keep their code, Hummingbird's own (unknown route, body too large) get one from their status,
/// and anything unexpected becomes a logged 500 that does not leak internals.
struct APIErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        do {
            return try await next(request, context)
        } catch let error as ServiceError {
            return APIErrorResponse(status: error.kind.httpStatus, code: error.errorCode, message: error.message)
                .response()
        } catch let error as APIErrorResponse {
            return error.response()
        } catch let error as HTTPError {
            let message = error.body ?? Self.defaultMessage(for: error.status, request: request)
            return APIErrorResponse(status: error.status, code: Self.code(for: error.status), message: message)
                .response()
        } catch let error as any HTTPResponseError {
            return APIErrorResponse(
                status: error.status, code: Self.code(for: error.status),
                message: Self.defaultMessage(for: error.status, request: request)
            ).response()
        } catch {
            context.logger.error("unexpected error", metadata: ["error": "\(error)", "path": "\(request.uri.path)"])
            return APIErrorResponse(
                status: .internalServerError, code: .`internal`, message: "internal error; see the daemon log"
            ).response()
        }
    }

    static func code(for status: HTTPResponse.Status) -> APIErrorCode {
        switch status {
        case .notFound: .notFound
        case .methodNotAllowed: .methodNotAllowed
        case .contentTooLarge: .tooLarge
        case .badRequest: .invalidRequest
        case .unsupportedMediaType: .unsupportedMediaType
        default: status.code >= 500 ? .internal : .invalidRequest
        }
    }

    static func defaultMessage(for status: HTTPResponse.Status, request: Request) -> String {
        switch status {
        case .notFound: "no such endpoint: \(request.method) \(request.uri.path); see GET /v1/openapi.yaml"
        case .contentTooLarge: "request body too large"
        default: status.reasonPhrase
        }
    }
}

/// An error answer built by a route handler.
struct APIErrorResponse: Error {
    let status: HTTPResponse.Status
    let code: APIErrorCode
    let message: String

    static func invalid(_ code: APIErrorCode, _ message: String) -> APIErrorResponse {
        APIErrorResponse(status: .badRequest, code: code, message: message)
    }

    func response() -> Response {
        let body = (try? JSONEncoder().encode(ErrorResponse(code: code, message: message))) ?? Data("{}".utf8)
        return Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}

extension ServiceError.Kind {
    var httpStatus: HTTPResponse.Status {
        switch self {
        case .invalidRequest: .badRequest
        case .notFound: .notFound
        case .tooLarge: .contentTooLarge
        case .unavailable: .serviceUnavailable
        case .insufficientStorage: HTTPResponse.Status(code: 507, reasonPhrase: "Insufficient Storage")
        case .internal: .internalServerError
        }
    }
}
