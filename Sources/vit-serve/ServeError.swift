import HTTPTypes

/// Why a request got no labels, as the HTTP status, the JSON error body and the headers it is
/// answered with. Every message names the problem (and the limit, for limits).
struct ServeError: Error, Sendable {
    var status: HTTPResponse.Status
    var message: String
    /// Seconds after which a retry may succeed (`Retry-After`), for 503s.
    var retryAfterSeconds: Int?

    static func badRequest(_ message: String) -> Self { Self(status: .badRequest, message: message) }

    static let unauthorized = Self(status: .unauthorized,
                                   message: "missing or wrong API key: send \"Authorization: Bearer <key>\"")

    static func bodyTooLarge(limit: Int) -> Self {
        Self(status: .contentTooLarge, message: "the request body is larger than the limit of \(limit) bytes "
             + "(vit-serve --max-body-bytes)")
    }

    static func tooManyFiles(_ count: Int, limit: Int) -> Self {
        Self(status: .contentTooLarge, message: "the request holds \(count) images, more than the \(limit) the "
             + "queue can take at once (vit-serve --max-queue)")
    }

    /// An image that could not be decoded or preprocessed (422: the request was well formed).
    static func unprocessableImage(_ message: String) -> Self {
        Self(status: .unprocessableContent, message: message)
    }

    static func overloaded(_ message: String, retryAfter: Int) -> Self {
        Self(status: .serviceUnavailable, message: message, retryAfterSeconds: retryAfter)
    }

    static func timedOut(after seconds: Double) -> Self {
        Self(status: .gatewayTimeout, message: "no result within the request timeout of \(seconds) s "
             + "(vit-serve --request-timeout)")
    }
}
