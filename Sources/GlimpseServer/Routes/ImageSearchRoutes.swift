import GlimpseService
import Hummingbird

/// `POST /v1/search/image?k=…&ef=…`: search by example image, a read served on both sockets.
struct ImageSearchRoutes<Context: RequestContext>: Sendable {
    let service: GlimpseService
    let deadline: RequestDeadline
    /// The body limit (`max_body_bytes`), which bounds the image too.
    let maxBodyBytes: Int

    func register(on group: RouterGroup<Context>) {
        group.post("search/image") { [service, deadline, maxBodyBytes] request, _ in
            let parameters = try RequestDecoding.queryParameters(of: request)
            let k = try RequestDecoding.integer("k", in: parameters, code: .invalidK)
            let ef = try RequestDecoding.integer("ef", in: parameters, code: .invalidEF)
            let contentType = request.headers[.contentType]
            let body = try await RequestDecoding.body(of: request, limit: maxBodyBytes)
            let image = try ImageSearchBody.image(from: body, contentType: contentType)
            return JSONResponse(value: try await deadline.run { try await service.searchImage(image, k: k, ef: ef) })
        }
    }
}
