import Hummingbird
import Metrics

/// Counts every request by route, method and status (`glimpse_http_requests_total`) and times it per route
/// (`glimpse_http_request_duration_seconds`). Added first, so it sees the final status of answers the error
/// middleware made from thrown errors. The route is the matched pattern (`/v1/items/{id}`), never the raw path, so
/// the number of series stays bounded; a request no route matched counts as `unmatched`.
struct RequestMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let factory: any MetricsFactory

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        let start = ContinuousClock.now
        do {
            let response = try await next(request, context)
            record(request, context: context, status: response.status.code, since: start)
            return response
        } catch {
            let status = (error as? any HTTPResponseError)?.status.code ?? 500
            record(request, context: context, status: status, since: start)
            throw error
        }
    }

    private func record(_ request: Request, context: Context, status: Int, since start: ContinuousClock.Instant) {
        // The router sets the matched route in a shared box while `next` runs, so it is readable afterwards.
        let route = context.endpointPath ?? "unmatched"
        let method = request.method.rawValue
        Counter(
            label: "glimpse_http_requests_total",
            dimensions: [("route", route), ("method", method), ("status", String(status))], factory: factory
        ).increment()
        Timer(
            label: "glimpse_http_request_duration_seconds", dimensions: [("route", route), ("method", method)],
            factory: factory
        ).record(duration: ContinuousClock.now - start)
    }
}
