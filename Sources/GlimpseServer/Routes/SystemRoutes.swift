import Foundation
import GlimpseAPI
import GlimpseService
import Hummingbird

/// `GET /v1/health`, `GET /v1/status`, `GET /v1/openapi.yaml`.
struct SystemRoutes<Context: RequestContext>: Sendable {
    let service: GlimpseService

    func register(on group: RouterGroup<Context>) {
        group.get("health") { _, _ in JSONResponse(value: HealthResponse(status: "ok")) }
        group.get("status") { _, _ in JSONResponse(value: try service.status()) }
        group.get("openapi.yaml") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/yaml; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: try OpenAPIDocument.data())))
        }
    }
}

/// The committed OpenAPI document, shipped as a resource of this module.
public enum OpenAPIDocument {
    public static func data() throws -> Data {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "yaml") else {
            throw APIErrorResponse(status: .internalServerError, code: "internal", message: "openapi.yaml missing from the build")
        }
        return try Data(contentsOf: url)
    }
}
