import Foundation
import GlimpseAPI
import GlimpseService
import Hummingbird

/// `GET /v1/items/{id}`, `GET /v1/items/{id}/similar` and `GET /v1/items` (listing) on both sockets;
/// `POST /v1/items`, `DELETE /v1/items/{id}` and `POST /v1/items/delete` (by filter) in the admin group.
struct ItemRoutes<Context: RequestContext>: Sendable {
    let service: GlimpseService
    let maxBodyBytes: Int
    let deadline: RequestDeadline

    func register(on group: RouterGroup<Context>, admin: RouterGroup<Context>) {
        group.get("items/{id}") { [service, deadline] _, context in
            let id = try Self.itemID(context)
            return JSONResponse(value: try await deadline.run { try service.item(id: id) })
        }
        group.get("items/{id}/similar") { [service, deadline] request, context in
            let id = try Self.itemID(context)
            let parameters = try RequestDecoding.queryParameters(of: request)
            try SearchParameters.refuseUnknown(
                parameters, allowed: Set(["k", "ef"]).union(SearchParameters.pagingNames),
                route: "GET /v1/items/{id}/similar")
            let k = try RequestDecoding.integer("k", in: parameters, code: .invalidK)
            let ef = try RequestDecoding.integer("ef", in: parameters, code: .invalidEF)
            let paging = try SearchParameters.paging(parameters)
            return JSONResponse(
                value: try await deadline.run { try await service.similar(id: id, k: k, ef: ef, paging: paging) })
        }
        group.get("items") { [service, deadline] request, _ in
            let parameters = try RequestDecoding.queryParameters(of: request)
            try SearchParameters.refuseUnknown(
                parameters, allowed: ["filter", "limit", "cursor"], route: "GET /v1/items")
            let limit = try RequestDecoding.integer("limit", in: parameters, code: .invalidParameters)
            let filter = try parameters["filter"].map { try SearchParameters.filter(parsing: $0) }
            let cursor = parameters["cursor"]
            return JSONResponse(
                value: try await deadline.run { try service.items(filter: filter, limit: limit, cursor: cursor) })
        }
        admin.post("items") { request, context in try await ingest(request, context: context) }
        admin.post("items/delete") { [service, deadline] request, context in
            let body = try await RequestDecoding.body(of: request, limit: 64 << 10)
            guard case .object(let fields) = try RequestDecoding.jsonValue(from: body) else {
                throw APIErrorResponse.invalid(
                    .invalidJSON, "the body must be a JSON object such as {\"filter\": {…}, \"dry_run\": true}")
            }
            try RequestDecoding.refuseUnknownKeys(fields, allowed: BulkDeleteRequest.fieldNames, at: "the request")
            guard let filterValue = fields["filter"] else {
                throw APIErrorResponse.invalid(
                    .invalidFilter, "filter is required; deleting every item takes an explicit filter")
            }
            let filter = try SearchParameters.filter(filterValue)
            var dryRun = false
            if let value = fields["dry_run"] {
                guard case .bool(let flag) = value else {
                    throw APIErrorResponse.invalid(.invalidParameters, "dry_run must be true or false")
                }
                dryRun = flag
            }
            let onlyCount = dryRun
            let result = try await deadline.run { try service.deleteItems(filter: filter, dryRun: onlyCount) }
            context.logger.notice(
                "admin: items deleted by filter",
                metadata: [
                    "dry_run": "\(dryRun)", "matched": "\(result.matched)",
                    "tombstoned_vectors": "\(result.tombstonedVectors)",
                ])
            return JSONResponse(value: result)
        }
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
