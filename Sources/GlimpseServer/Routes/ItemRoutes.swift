import Foundation
import GlimpseAPI
import GlimpseService
import Hummingbird

/// `POST /v1/items`, `GET /v1/items/{id}`.
struct ItemRoutes<Context: RequestContext>: Sendable {
    let service: GlimpseService
    let maxBodyBytes: Int

    func register(on group: RouterGroup<Context>) {
        group.post("items") { request, _ in try await ingest(request) }
        group.get("items/{id}") { _, context in
            // Path parameters arrive still percent-encoded; ids are often absolute paths sent with "/" as %2F.
            let raw = try context.parameters.require("id")
            guard let id = raw.removingPercentEncoding else {
                throw APIErrorResponse.invalid("invalid_id", "the item id is not valid percent-encoded UTF-8")
            }
            return JSONResponse(value: try service.item(id: id))
        }
    }

    private func ingest(_ request: Request) async throws -> JSONResponse<IngestAccepted> {
        let body = try await RequestDecoding.body(of: request, limit: maxBodyBytes)
        let items = try Self.decodeItems(body)
        let accepted = try service.ingest(items)
        return JSONResponse(status: .accepted, value: accepted)
    }

    /// Accepts one item or `{"items": [...]}`. Unknown fields are refused rather than ignored: a typo such as
    /// `"caption"` would otherwise silently store an item without the caption the user meant to give.
    static func decodeItems(_ body: Data) throws -> [IngestItem] {
        let object = try RequestDecoding.json(JSONValue.self, from: body)
        guard case .object(let fields) = object else {
            throw APIErrorResponse.invalid(
                "invalid_json", "the body must be a JSON object: one item or {\"items\": [...]}")
        }
        if fields["items"] != nil {
            try refuseUnknownKeys(fields, allowed: ["items"], at: "the top level")
            guard case .array(let elements) = fields["items"]! else {
                throw APIErrorResponse.invalid("invalid_item", "items must be an array")
            }
            for (index, element) in elements.enumerated() {
                guard case .object(let itemFields) = element else {
                    throw APIErrorResponse.invalid("invalid_item", "items[\(index)] must be an object")
                }
                try refuseUnknownKeys(itemFields, allowed: itemKeys, at: "items[\(index)]")
            }
            return try RequestDecoding.json(IngestBatch.self, from: body).items
        }
        try refuseUnknownKeys(fields, allowed: itemKeys, at: "the item")
        return [try RequestDecoding.json(IngestItem.self, from: body)]
    }

    private static let itemKeys: Set<String> = ["id", "image_path", "captions"]

    private static func refuseUnknownKeys(_ fields: [String: JSONValue], allowed: Set<String>, at place: String) throws {
        if let unknown = fields.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw APIErrorResponse.invalid(
                "unknown_field", "unknown field \"\(unknown)\" in \(place); allowed: \(allowed.sorted().joined(separator: ", "))")
        }
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
