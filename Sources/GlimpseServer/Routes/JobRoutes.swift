import GlimpseService
import Hummingbird

/// `GET /v1/jobs/{id}`.
struct JobRoutes<Context: RequestContext>: Sendable {
    let service: GlimpseService
    let deadline: RequestDeadline

    func register(on group: RouterGroup<Context>) {
        group.get("jobs/{id}") { [service, deadline] _, context in
            let text = try context.parameters.require("id")
            guard let id = Int64(text) else {
                throw APIErrorResponse.invalid(.invalidID, "job id must be an integer, got \"\(text.prefix(40))\"")
            }
            return JSONResponse(value: try await deadline.run { try service.job(id: id) })
        }
    }
}
