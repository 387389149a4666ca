import Hummingbird
import NIOCore

/// The server's routes: the classify endpoint and the operational ones.
///
/// | route | answers |
/// |---|---|
/// | `POST /v1/classify?top_k=K` | see ``ClassifyEndpoint`` |
/// | `GET /health` | 200 while the process runs (liveness) |
/// | `GET /ready` | 200 once the model is loaded, 503 while loading or shutting down (readiness) |
/// | `GET /metrics` | Prometheus text format (see ``ServerMetrics``) |
enum Routes {
    static func router(endpoint: ClassifyEndpoint, key: APIKey?) -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: RequestMetricsMiddleware(metrics: endpoint.metrics))
        if let key { router.add(middleware: AccessMiddleware(key: key)) }
        router.post("/v1/classify") { request, _ in await endpoint.respond(to: request) }
        router.get("/health") { _, _ in status(.ok, "alive") }
        router.get("/ready") { _, _ in
            endpoint.slot.isReady ? status(.ok, "ready")
                : status(.serviceUnavailable, endpoint.slot.isStopping ? "shutting down" : "loading")
        }
        router.get("/metrics") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                     body: ResponseBody(byteBuffer: ByteBuffer(bytes: endpoint.metrics.render(
                        queue: endpoint.slot.queue, inFlight: endpoint.gate.count))))
        }
        return router
    }

    /// `{"status":"…"}` with `code`.
    private static func status(_ code: HTTPResponse.Status, _ text: String) -> Response {
        ClassifyEndpoint.json(code, ByteBuffer(string: "{\"status\":\"\(text)\"}\n"))
    }
}
