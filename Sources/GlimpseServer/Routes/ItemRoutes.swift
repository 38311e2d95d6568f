import Foundation
import GlimpseAPI
import GlimpseService
import Hummingbird

/// `POST /v1/items`, `GET /v1/items/{id}`, `DELETE /v1/items/{id}`. Ingest and delete are admin actions: served on
/// the admin socket (logged with the peer's credentials) and refused with 403 on the query socket.
struct ItemRoutes<Context: RequestContext>: Sendable {
    let service: GlimpseService
    let maxBodyBytes: Int
    let deadline: RequestDeadline

    func register(on group: RouterGroup<Context>, role: SocketRole) {
        group.get("items/{id}") { [service, deadline] _, context in
            let id = try Self.itemID(context)
            return JSONResponse(value: try await deadline.run { try service.item(id: id) })
        }
        switch role {
        case .query:
            group.post("items") { _, _ -> Response in throw AdminRefusal.error(for: "POST /v1/items") }
            group.delete("items/{id}") { _, _ -> Response in throw AdminRefusal.error(for: "DELETE /v1/items/{id}") }
        case .admin:
            group.post("items") { request, context in try await ingest(request, context: context) }
            group.delete("items/{id}") { [service, deadline] _, context in
                let id = try Self.itemID(context)
                let deleted = try await deadline.run { try service.delete(id: id) }
                context.logger.notice(
                    "admin: item deleted", metadata: ["id": "\(id)", "tombstoned_vectors": "\(deleted.tombstonedVectors)"])
                return JSONResponse(value: deleted)
            }
        }
    }

    /// Path parameters arrive still percent-encoded; ids are often absolute paths sent with "/" as %2F.
    private static func itemID(_ context: Context) throws -> String {
        let raw = try context.parameters.require("id")
        guard let id = raw.removingPercentEncoding else {
            throw APIErrorResponse.invalid("invalid_id", "the item id is not valid percent-encoded UTF-8")
        }
        return id
    }

    private func ingest(_ request: Request, context: Context) async throws -> JSONResponse<IngestAccepted> {
        let body = try await RequestDecoding.body(of: request, limit: maxBodyBytes)
        let items = try IngestBodyDecoding.items(from: body)
        let accepted = try await deadline.run { [service] in try service.ingest(items) }
        context.logger.notice(
            "admin: ingest accepted", metadata: ["job": "\(accepted.jobID)", "items": "\(accepted.accepted)"])
        return JSONResponse(status: .accepted, value: accepted)
    }
}

/// Just enough of a JSON tree to check field names before decoding into the typed request.
indirect enum JSONValue: Decodable {
    case object([String: JSONValue])
    case array([JSONValue])
    case scalar

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let object = try? container.decode([String: JSONValue].self) {
            self = .object(object)
        } else if let array = try? container.decode([JSONValue].self) {
            self = .array(array)
        } else {
            self = .scalar
        }
    }
}
