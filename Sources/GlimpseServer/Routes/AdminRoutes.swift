import Foundation
import GlimpseAPI
import GlimpseService
import Hummingbird

/// `POST /v1/admin/rebuild`, in the admin group.
struct AdminRoutes<Context: RequestContext>: Sendable {
    let service: GlimpseService
    let deadline: RequestDeadline

    func register(admin: RouterGroup<Context>) {
        admin.post("admin/rebuild") { [service, deadline] request, context in
            let body = try await RequestDecoding.body(of: request, limit: IngestLimits.maxRebuildBodyBytes)
            let rebuildRequest = try Self.decodeRequest(body)
            let accepted = try await deadline.run { try service.rebuild(rebuildRequest) }
            context.logger.notice(
                "admin: rebuild queued",
                metadata: [
                    "job": "\(accepted.jobID)", "m": "\(rebuildRequest.m.map { "\($0)" } ?? "configured")",
                    "ef_construction": "\(rebuildRequest.efConstruction.map { "\($0)" } ?? "configured")",
                    "reembed": "\(rebuildRequest.reembed ?? false)",
                ])
            return JSONResponse(status: .accepted, value: accepted)
        }
    }

    /// An empty body rebuilds with the configured parameters.
    static func decodeRequest(_ body: Data) throws -> RebuildRequest {
        guard
            !body.allSatisfy({
                $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r")
                    || $0 == UInt8(ascii: "\t")
            })
        else { return RebuildRequest() }
        guard case .object(let fields) = try RequestDecoding.jsonValue(from: body) else {
            throw APIErrorResponse.invalid(.invalidJSON, "the body must be a JSON object such as {\"m\": 16}")
        }
        try RequestDecoding.refuseUnknownKeys(fields, allowed: RebuildRequest.fieldNames, at: "the rebuild request")
        return try RequestDecoding.json(RebuildRequest.self, from: body)
    }
}
