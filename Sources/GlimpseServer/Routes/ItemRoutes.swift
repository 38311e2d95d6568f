import Foundation
import GlimpseAPI
import GlimpseService
import Hummingbird

/// `POST /v1/items`, `GET /v1/items/{id}`, `DELETE /v1/items/{id}`.
struct ItemRoutes<Context: RequestContext>: Sendable {
    let service: GlimpseService
    let maxBodyBytes: Int

    func register(on group: RouterGroup<Context>) {
        group.post("items") { request, _ in try await ingest(request) }
        group.get("items/{id}") { _, context in
            JSONResponse(value: try service.item(id: try Self.itemID(context)))
        }
        group.delete("items/{id}") { _, context in
            JSONResponse(value: try service.delete(id: try Self.itemID(context)))
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

    private func ingest(_ request: Request) async throws -> JSONResponse<IngestAccepted> {
        let body = try await RequestDecoding.body(of: request, limit: maxBodyBytes)
        let items = try IngestBodyDecoding.items(from: body)
        let accepted = try service.ingest(items)
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
