import Foundation
import GlimpseAPI
import GlimpseService
import Hummingbird

/// `POST /v1/admin/rebuild`.
struct AdminRoutes<Context: RequestContext>: Sendable {
    let service: GlimpseService

    func register(on group: RouterGroup<Context>) {
        group.post("admin/rebuild") { request, _ in
            let body = try await RequestDecoding.body(of: request, limit: 64 << 10)
            let accepted = try service.rebuild(try Self.decodeRequest(body))
            return JSONResponse(status: .accepted, value: accepted)
        }
    }

    /// An empty body rebuilds with the configured parameters.
    static func decodeRequest(_ body: Data) throws -> RebuildRequest {
        guard !body.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r") || $0 == UInt8(ascii: "\t") })
        else { return RebuildRequest() }
        guard case .object(let fields) = try RequestDecoding.json(JSONValue.self, from: body) else {
            throw APIErrorResponse.invalid("invalid_json", "the body must be a JSON object such as {\"m\": 16}")
        }
        try RequestDecoding.refuseUnknownKeys(fields, allowed: ["m", "ef_construction"], at: "the rebuild request")
        return try RequestDecoding.json(RebuildRequest.self, from: body)
    }
}
