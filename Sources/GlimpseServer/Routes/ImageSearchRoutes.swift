import GlimpseService
import Hummingbird

/// `POST /v1/search/image?k=…&ef=…&filter=…&offset=…&cursor=…&min_score=…`: search by example image, a read
/// served on both sockets.
struct ImageSearchRoutes<Context: RequestContext>: Sendable {
    let service: GlimpseService
    let deadline: RequestDeadline
    /// The body limit (`max_body_bytes`), which bounds the image too.
    let maxBodyBytes: Int

    func register(on group: RouterGroup<Context>) {
        group.post("search/image") { [service, deadline, maxBodyBytes] request, _ in
            let parameters = try RequestDecoding.queryParameters(of: request)
            try SearchParameters.refuseUnknown(
                parameters, allowed: Set(["k", "ef"]).union(SearchParameters.pagingNames),
                route: "POST /v1/search/image")
            let k = try RequestDecoding.integer("k", in: parameters, code: .invalidK)
            let ef = try RequestDecoding.integer("ef", in: parameters, code: .invalidEF)
            let paging = try SearchParameters.paging(parameters)
            let contentType = request.headers[.contentType]
            let body = try await RequestDecoding.body(of: request, limit: maxBodyBytes)
            let image = try ImageSearchBody.image(from: body, contentType: contentType)
            return JSONResponse(
                value: try await deadline.run { try await service.searchImage(image, k: k, ef: ef, paging: paging) })
        }
    }
}
