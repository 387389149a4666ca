import Foundation
import Hummingbird
import NIOCore
import SwiftViT

/// `POST /v1/classify?top_k=K`: the image bytes as the body, or `multipart/form-data` with one
/// or more files.
///
/// Answers 200 with `{"predictions":[…]}` for a body, or one JSON line per file
/// (`{"path":NAME,"predictions":[…]}` or `{"path":NAME,"error":…}`) for multipart; otherwise a
/// JSON `{"error":…}` with 400 (malformed request), 413 (body or file count over the limit),
/// 422 (the image cannot be decoded or is over the pixel limit), 503 + `Retry-After` (the queue
/// or the in-flight limit is full, the work ahead would outlast the request timeout, the model is
/// loading) or 504 (over the request timeout).
struct ClassifyEndpoint: Sendable {
    /// The limits that keep a request's memory and time bounded.
    struct Limits: Sendable {
        var maximumBodyBytes: Int
        var requestTimeoutSeconds: Double
        var maximumBatchSize: Int
        var queueCapacity: Int
    }

    let slot: ClassifierSlot
    let gate: AdmissionGate
    let metrics: ServerMetrics
    let limits: Limits

    func respond(to request: Request) async -> Response {
        do {
            return try await classify(request)
        } catch {
            return Self.response(for: error)
        }
    }

    private func classify(_ request: Request) async throws(ServeError) -> Response {
        let topK = try Self.topK(of: request)
        guard let queue = slot.queue else {
            throw .overloaded("the model is still loading; see GET /ready", retryAfter: 1)
        }
        if let secondsPerImage = metrics.secondsPerImage {
            let estimate = AnswerTimeEstimate(waiting: queue.waitingCount, running: queue.runningCount,
                                              secondsPerImage: secondsPerImage)
            guard !estimate.exceeds(timeout: limits.requestTimeoutSeconds) else {
                throw .overloaded("the queue holds about \(Int(estimate.seconds.rounded(.up))) s of work, more than the "
                                  + "request timeout of \(limits.requestTimeoutSeconds) s (vit-serve --request-timeout); "
                                  + "try again later", retryAfter: retryAfter(queue))
            }
        }
        guard gate.enter() else {
            throw .overloaded("the server already holds its limit of \(gate.limit) requests (vit-serve --max-queue); "
                              + "try again later", retryAfter: retryAfter(queue))
        }
        defer { gate.leave() }
        let body = try await readBody(of: request)
        let contentType = request.headers[.contentType] ?? ""
        guard MultipartFormData.isMultipart(contentType: contentType) else {
            guard !body.isEmpty else {
                throw .badRequest("the request body is empty: send the image bytes, or multipart/form-data files")
            }
            let labels = try await withinTimeout(queue) { try await queue.classify(.data(Data(body)), topK: topK) }
            return Self.json(.ok, ResponseJSON.record(path: nil, predictions: labels).line)
        }
        guard let boundary = MultipartFormData.boundary(ofContentType: contentType) else {
            throw .badRequest("multipart/form-data needs a boundary parameter in Content-Type")
        }
        let parts = try MultipartFormData.parts(of: body, boundary: boundary)
        guard parts.count <= limits.queueCapacity else { throw .tooManyFiles(parts.count, limit: limits.queueCapacity) }
        let results = try await withinTimeout(queue) {
            try await queue.classify(parts.map { .data($0.data, name: $0.name) }, topK: topK)
        }
        var lines = ByteBuffer()
        for (part, result) in zip(parts, results) {
            var line = switch result {
            case .success(let labels): ResponseJSON.record(path: part.name, predictions: labels).line
            case .failure(let error): ResponseJSON.error(path: part.name, message: "\(error)").line
            }
            lines.writeBuffer(&line)
        }
        return Self.json(.ok, lines, contentType: "application/x-ndjson")
    }

    /// `top_k` from the query: 5 if absent, else an integer ≥ 1.
    static func topK(of request: Request) throws(ServeError) -> Int {
        guard let text = request.uri.queryParameters["top_k"] else { return 5 }
        guard let value = Int(text), value >= 1 else {
            throw .badRequest("top_k must be a whole number of at least 1, not \"\(text)\"")
        }
        return value
    }

    /// The whole body, refusing one over the limit before reading it when its length is declared.
    private func readBody(of request: Request) async throws(ServeError) -> [UInt8] {
        let limit = limits.maximumBodyBytes
        if let declared = request.headers[.contentLength].flatMap({ Int($0) }), declared > limit {
            throw .bodyTooLarge(limit: limit)
        }
        do {
            var request = request
            return Array(try await request.collectBody(upTo: limit).readableBytesView)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw .bodyTooLarge(limit: limit)
        } catch is NIOTooManyBytesError {
            throw .bodyTooLarge(limit: limit)
        } catch {
            throw .badRequest("the request body could not be read: \(error)")
        }
    }

    /// Runs `classify`, answering 504 if it has not finished within the request timeout. A call
    /// still waiting then is taken out of the queue; one whose batch has started is let finish
    /// (a forward pass cannot be interrupted), and its labels are returned.
    private func withinTimeout<Labels: Sendable>(
        _ queue: ClassificationQueue, _ classify: @escaping @Sendable () async throws -> Labels
    ) async throws(ServeError) -> Labels {
        let timeout = Duration.inSeconds(limits.requestTimeoutSeconds)
        let outcome = await withTaskGroup(of: Result<Labels, any Error>?.self,
                                          returning: Result<Labels, any Error>?.self) { group in
            group.addTask {
                do { return .success(try await classify()) } catch { return .failure(error) }
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            var timedOut = false
            while let next = await group.next() {
                guard let result = next else {
                    timedOut = true
                    group.cancelAll()
                    continue
                }
                group.cancelAll()
                if timedOut, case .failure(ClassificationQueueError.cancelled) = result { return nil }
                return result
            }
            return nil
        }
        switch outcome {
        case nil: throw .timedOut(after: limits.requestTimeoutSeconds)
        case .success(let labels): return labels
        case .failure(let error as ClassificationQueueError): throw serveError(for: error, queue: queue)
        case .failure(let error): throw ServeError(status: .internalServerError, message: "\(error)")
        }
    }

    private func serveError(for error: ClassificationQueueError, queue: ClassificationQueue) -> ServeError {
        switch error {
        case .queueFull:
            .overloaded("\(error) (vit-serve --max-queue)", retryAfter: retryAfter(queue))
        case .shutDown, .cancelled:
            .overloaded("the server is shutting down", retryAfter: 1)
        case .imageFailed(.undecodableImage(let decoding)) where decoding.isOverPixelLimit:
            .unprocessableImage("\(decoding) (vit-serve --max-pixels)")
        case .imageFailed(let failure):
            .unprocessableImage("\(failure)")
        case .invalidArgument(let reason):
            ServeError(status: .internalServerError, message: reason)
        }
    }

    private func retryAfter(_ queue: ClassificationQueue) -> Int {
        metrics.retryAfterSeconds(waiting: queue.waitingCount, maximumBatchSize: limits.maximumBatchSize)
    }

    // MARK: - Responses

    static func json(_ status: HTTPResponse.Status, _ body: ByteBuffer,
                     contentType: String = "application/json") -> Response {
        Response(status: status, headers: [.contentType: contentType], body: ResponseBody(byteBuffer: body))
    }

    static func response(for error: ServeError) -> Response {
        var response = json(error.status, ResponseJSON.error(path: nil, message: error.message).line)
        if let seconds = error.retryAfterSeconds { response.headers[.retryAfter] = String(seconds) }
        return response
    }
}

extension ImageDecodingError {
    /// Whether the image was refused for declaring more pixels than the limit.
    var isOverPixelLimit: Bool {
        if case .tooManyPixels = self { return true }
        return false
    }
}
