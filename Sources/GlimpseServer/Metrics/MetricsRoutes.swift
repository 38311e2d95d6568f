import GlimpseService
import Hummingbird

/// `GET /metrics`: the Prometheus text exposition of `ServerMetrics`, at the root as Prometheus expects.
struct MetricsRoutes<Context: RequestContext>: Sendable {
    let service: GlimpseService
    let metrics: ServerMetrics
    let deadline: RequestDeadline

    func register(on router: Router<Context>) {
        router.get("metrics") { [service, metrics, deadline] _, _ in
            let body = try await deadline.run { try metrics.scrape(service) }
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: body)))
        }
    }
}
