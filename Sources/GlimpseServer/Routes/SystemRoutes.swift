import Foundation
import GlimpseAPI
import GlimpseService
import Hummingbird

/// `GET /v1/health`, `GET /v1/ready`, `GET /v1/status`, `GET /v1/openapi.yaml`.
struct SystemRoutes<Context: RequestContext>: Sendable {
    let service: GlimpseService
    let deadline: RequestDeadline

    func register(on group: RouterGroup<Context>) {
        group.get("health") { _, _ in JSONResponse(value: HealthResponse(status: "ok")) }
        group.get("ready") { [service, deadline] _, _ in
            let readiness = try await deadline.run { try service.readiness() }
            return JSONResponse(status: readiness.ready ? .ok : .serviceUnavailable, value: readiness)
        }
        group.get("status") { [service, deadline] _, _ in
            JSONResponse(value: try await deadline.run { try service.status() })
        }
        group.get("openapi.yaml") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/yaml; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: OpenAPIDocument.data())))
        }
    }
}

/// The committed OpenAPI document, compiled into the binary.
public enum OpenAPIDocument {
    public static func data() -> Data {
        Data(PackageResources.openapi_yaml)
    }
}
