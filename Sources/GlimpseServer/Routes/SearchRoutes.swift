import GlimpseService
import Hummingbird

/// `GET /v1/search?q=…&k=…&ef=…&align=…&filter=…&offset=…&cursor=…&min_score=…`, and `POST /v1/search` with the
/// same as a JSON body (a filter too long or awkward for a URL).
struct SearchRoutes<Context: RequestContext>: Sendable {
    let service: GlimpseService
    let deadline: RequestDeadline

    static var parameterNames: Set<String> { Set(["q", "k", "ef", "align"]).union(SearchParameters.pagingNames) }

    func register(on group: RouterGroup<Context>) {
        group.get("search") { [service, deadline] request, _ in
            let parameters = try RequestDecoding.queryParameters(of: request)
            try SearchParameters.refuseUnknown(parameters, allowed: Self.parameterNames, route: "GET /v1/search")
            guard let query = parameters["q"] else {
                throw APIErrorResponse.invalid(.invalidQuery, "missing query parameter q, e.g. /v1/search?q=dog")
            }
            let k = try RequestDecoding.integer("k", in: parameters, code: .invalidK)
            let ef = try RequestDecoding.integer("ef", in: parameters, code: .invalidEF)
            let align = try RequestDecoding.boolean("align", in: parameters, code: .invalidAlign) ?? true
            let paging = try SearchParameters.paging(parameters)
            return JSONResponse(
                value: try await deadline.run {
                    try await service.search(query, k: k, ef: ef, align: align, paging: paging)
                })
        }
        group.post("search") { [service, deadline] request, _ in
            let parameters = try RequestDecoding.queryParameters(of: request)
            try SearchParameters.refuseUnknown(parameters, allowed: [], route: "POST /v1/search (send a JSON body)")
            let body = try await RequestDecoding.body(of: request, limit: 64 << 10)
            let search = try SearchParameters.textSearch(fromBody: body)
            return JSONResponse(
                value: try await deadline.run {
                    try await service.search(
                        search.query, k: search.k, ef: search.ef, align: search.align, paging: search.paging)
                })
        }
    }
}
