import Foundation
import GlimpseAPI
import GlimpseService
import Hummingbird

/// `GET /v1/items/{id}` on both sockets; `POST /v1/items` and `DELETE /v1/items/{id}` in the admin group.
struct ItemRoutes<Context: RequestContext>: Sendable {
    let service: GlimpseService
    let maxBodyBytes: Int
    let deadline: RequestDeadline

    func register(on group: RouterGroup<Context>, admin: RouterGroup<Context>) {
        group.get("items/{id}") { [service, deadline] _, context in
            let id = try Self.itemID(context)
            return JSONResponse(value: try await deadline.run { try service.item(id: id) })
        }
        admin.post("items") { request, context in try await ingest(request, context: context) }
        admin.delete("items/{id}") { [service, deadline] _, context in
            let id = try Self.itemID(context)
            let deleted = try await deadline.run { try service.delete(id: id) }
            context.logger.notice(
                "admin: item deleted", metadata: ["id": "\(id)", "tombstoned_vectors": "\(deleted.tombstonedVectors)"])
            return JSONResponse(value: deleted)
        }
    }

    /// Path parameters arrive still percent-encoded; ids are often absolute paths sent with "/" as %2F.
    private static func itemID(_ context: Context) throws -> String {
        let raw = try context.parameters.require("id")
        guard let id = raw.removingPercentEncoding else {
            throw APIErrorResponse.invalid(.invalidID, "the item id is not valid percent-encoded UTF-8")
        }
        return id
    }

    private func ingest(_ request: Request, context: Context) async throws -> JSONResponse<IngestAccepted> {
        try IngestBodyDecoding.checkContentType(request.headers[.contentType])
        let body = try await RequestDecoding.body(of: request, limit: maxBodyBytes)
        let items = try IngestBodyDecoding.items(from: body)
        let accepted = try await deadline.run { [service] in try service.ingest(items) }
        context.logger.notice(
            "admin: ingest accepted", metadata: ["job": "\(accepted.jobID)", "items": "\(accepted.accepted)"])
        return JSONResponse(status: .accepted, value: accepted)
    }
}
