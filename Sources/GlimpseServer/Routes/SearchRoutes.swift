import GlimpseService
import Hummingbird

/// `GET /v1/search?q=…&k=…&ef=…&align=…`.
struct SearchRoutes<Context: RequestContext>: Sendable {
    let service: GlimpseService
    let deadline: RequestDeadline

    func register(on group: RouterGroup<Context>) {
        group.get("search") { [service, deadline] request, _ in
            let parameters = try RequestDecoding.queryParameters(of: request)
            guard let query = parameters["q"] else {
                throw APIErrorResponse.invalid(.invalidQuery, "missing query parameter q, e.g. /v1/search?q=dog")
            }
            let k = try RequestDecoding.integer("k", in: parameters, code: .invalidK)
            let ef = try RequestDecoding.integer("ef", in: parameters, code: .invalidEF)
            let align = try RequestDecoding.boolean("align", in: parameters, code: .invalidAlign) ?? true
            return JSONResponse(
                value: try await deadline.run { try await service.search(query, k: k, ef: ef, align: align) })
        }
    }
}
