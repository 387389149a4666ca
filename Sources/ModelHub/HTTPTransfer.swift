import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// One HTTP request through Foundation's `URLSession` (libcurl on Linux), with the control the
/// Hub protocol needs and the async convenience APIs lack: a per-hop redirect decision (HEAD must
/// stop at a redirect to a CDN and read the Hub's headers from the 302 itself; GET must follow it
/// but drop `Authorization` when leaving the Hub), streaming the body to a file with progress, and
/// cancellation from Swift concurrency.
final class HTTPTransfer: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    // @unchecked: mutable state is guarded by `lock`; URLSession calls the delegate on its own
    // serial queue while cancellation arrives from any thread.

    /// What to do with a redirect.
    enum RedirectDecision {
        /// Follow it, removing the `Authorization` header if `keepsAuthorization` is false.
        case follow(keepsAuthorization: Bool)
        /// Do not follow: the redirect response is the result.
        case stop
    }

    /// The outcome of a completed request.
    struct Result {
        /// The final response (a 3xx if a redirect was not followed).
        let response: HTTPURLResponse
        /// The body of a non-2xx response, or of a 2xx response when no file sink was given
        /// (truncated to ``maximumCapturedBody`` bytes).
        let body: Data
        /// Bytes written to the file sink.
        let bytesWritten: Int64
    }

    /// The most body bytes kept in memory (for error messages and small responses): a response's
    /// size is the server's to choose, so memory must not be.
    static let maximumCapturedBody = 1 << 20

    private let request: URLRequest
    private let redirectPolicy: @Sendable (_ from: URL, _ to: URL) -> RedirectDecision
    private let sink: FileHandle?
    private let progress: (@Sendable (Int64, Int64?) -> Void)?
    private let timeout: TimeInterval

    private let lock = NSLock()
    private var session: URLSession?
    private var task: URLSessionDataTask?
    private var continuation: CheckedContinuation<Result, any Error>?
    private var isCancelled = false
    private var response: HTTPURLResponse?
    private var captured = Data()
    private var bytesWritten: Int64 = 0
    private var writeError: (any Error)?
    private var lastReported: Int64 = 0

    /// Prepares a transfer.
    ///
    /// - Parameters:
    ///   - request: The request to send.
    ///   - timeout: Seconds without any data before the transfer fails.
    ///   - redirectPolicy: Decides each redirect hop.
    ///   - sink: Where the body of a 2xx response is written, or `nil` to capture it in memory.
    ///   - progress: Called with (bytes written, expected total) as the body arrives.
    init(request: URLRequest, timeout: TimeInterval,
         redirectPolicy: @escaping @Sendable (URL, URL) -> RedirectDecision,
         sink: FileHandle? = nil, progress: (@Sendable (Int64, Int64?) -> Void)? = nil) {
        self.request = request
        self.timeout = timeout
        self.redirectPolicy = redirectPolicy
        self.sink = sink
        self.progress = progress
    }

    /// Performs the request. Throws `CancellationError` if the calling task is cancelled, or the
    /// `URLError` (or file write error) that ended the transfer.
    func run() async throws -> Result {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Result, any Error>) in
                lock.lock()
                if isCancelled {
                    lock.unlock()
                    continuation.resume(throwing: CancellationError())
                    return
                }
                let configuration = URLSessionConfiguration.ephemeral
                configuration.timeoutIntervalForRequest = timeout
                configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
                configuration.urlCache = nil
                configuration.httpCookieStorage = nil
                let session = URLSession(configuration: configuration, delegate: self, delegateQueue: nil)
                let task = session.dataTask(with: request)
                self.session = session
                self.task = task
                self.continuation = continuation
                lock.unlock()
                task.resume()
            }
        } onCancel: {
            lock.lock()
            isCancelled = true
            let task = self.task
            lock.unlock()
            task?.cancel()
        }
    }

    // MARK: - URLSessionDataDelegate

    func urlSession(_ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
                    newRequest request: URLRequest, completionHandler: @escaping @Sendable (URLRequest?) -> Void) {
        guard let from = task.currentRequest?.url ?? self.request.url, let to = request.url else {
            completionHandler(nil)
            return
        }
        switch redirectPolicy(from, to) {
        case .stop:
            completionHandler(nil)
        case .follow(let keepsAuthorization):
            var next = request
            if !keepsAuthorization { next.setValue(nil, forHTTPHeaderField: "Authorization") }
            completionHandler(next)
        }
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                    completionHandler: @escaping @Sendable (URLSession.ResponseDisposition) -> Void) {
        lock.lock()
        self.response = response as? HTTPURLResponse
        captured.removeAll()
        lock.unlock()
        completionHandler(.allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        lock.lock()
        let status = response?.statusCode ?? 0
        let expected = response.flatMap { $0.expectedContentLength >= 0 ? $0.expectedContentLength : nil }
        guard writeError == nil else {
            lock.unlock()
            return
        }
        if let sink, (200..<300).contains(status) {
            do {
                try sink.write(contentsOf: data)
                bytesWritten += Int64(data.count)
            } catch {
                writeError = error
                lock.unlock()
                dataTask.cancel()
                return
            }
            // Report at most every 256 KiB (plus the end) so a progress bar is not flooded.
            let done = bytesWritten
            let shouldReport = done - lastReported >= 1 << 18 || done == expected
            if shouldReport { lastReported = done }
            lock.unlock()
            if shouldReport { progress?(done, expected) }
        } else {
            if captured.count < Self.maximumCapturedBody {
                captured.append(data.prefix(Self.maximumCapturedBody - captured.count))
            }
            lock.unlock()
        }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        lock.lock()
        let continuation = self.continuation
        self.continuation = nil
        self.task = nil
        let outcome: Swift.Result<Result, any Error>
        if isCancelled {
            outcome = .failure(CancellationError())
        } else if let writeError {
            outcome = .failure(writeError)
        } else if let error {
            outcome = .failure(error)
        } else if let response {
            outcome = .success(Result(response: response, body: captured, bytesWritten: bytesWritten))
        } else {
            outcome = .failure(URLError(.badServerResponse))
        }
        let session = self.session
        self.session = nil
        lock.unlock()
        // The session retains its delegate (self) until invalidated.
        session?.finishTasksAndInvalidate()
        continuation?.resume(with: outcome)
    }
}
