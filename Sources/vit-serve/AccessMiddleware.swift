import Hummingbird

/// Checks `Authorization: Bearer <key>` on every route but the probes (`/health`, `/ready`),
/// when the server has an API key.
struct AccessMiddleware<Context: RequestContext>: RouterMiddleware {
    let key: APIKey
    static var openPaths: Set<String> { ["/health", "/ready"] }

    func handle(_ request: Request, context: Context,
                next: (Request, Context) async throws -> Response) async throws -> Response {
        guard Self.openPaths.contains(request.uri.path)
                || key.accepts(authorization: request.headers[.authorization]) else {
            var response = ClassifyEndpoint.response(for: .unauthorized)
            response.headers[.wwwAuthenticate] = "Bearer"
            return response
        }
        return try await next(request, context)
    }
}

/// Counts every answered request by route and status, and times it.
struct RequestMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: ServerMetrics
    /// Routes outside this set count as `other`, so a scan of random paths cannot grow the
    /// metrics without bound.
    static var routes: Set<String> { ["/v1/classify", "/health", "/ready", "/metrics"] }

    func handle(_ request: Request, context: Context,
                next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let route = Self.routes.contains(request.uri.path) ? request.uri.path : "other"
        do {
            let response = try await next(request, context)
            metrics.recordRequest(route: route, status: response.status.code, duration: .now - start)
            return response
        } catch let error as any HTTPResponseError {
            metrics.recordRequest(route: route, status: error.status.code, duration: .now - start)
            throw error
        }
    }
}
