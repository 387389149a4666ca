/// One call's images on their way through a ``CoalescingWorker``: what was asked, the results
/// so far, and the suspended caller to resume when the last one is in.
///
/// Every mutable property is guarded by the worker's lock.
final class PendingClassification: @unchecked Sendable {
    typealias Outcome = Result<[Result<[Classification], ImageClassifierError>], ClassificationQueueError>

    let inputs: [ImageInput]
    let topK: Int
    let arrival: ContinuousClock.Instant
    private var continuation: CheckedContinuation<Outcome, Never>?
    private var results: [Result<[Classification], ImageClassifierError>?]
    /// Images neither finished nor withdrawn.
    private var remaining: Int
    /// Whether any image has been taken into a batch (it can then no longer be withdrawn).
    var hasStarted = false
    /// Whether the caller's task was cancelled.
    private(set) var isCancelled = false

    init(inputs: [ImageInput], topK: Int, continuation: CheckedContinuation<Outcome, Never>) {
        self.inputs = inputs
        self.topK = topK
        self.arrival = .now
        self.continuation = continuation
        self.results = Array(repeating: nil, count: inputs.count)
        self.remaining = inputs.count
    }

    /// Records image `index`'s result; returns the resumption to run (outside the lock) when
    /// it was the last one.
    func finish(_ index: Int, with result: Result<[Classification], ImageClassifierError>) -> (() -> Void)? {
        results[index] = result
        remaining -= 1
        return remaining == 0 ? completion() : nil
    }

    /// Marks the call cancelled after `withdrawn` of its images were taken out of the queue;
    /// returns the resumption to run when nothing of it is still in a batch.
    func cancel(withdrawing withdrawn: Int) -> (() -> Void)? {
        isCancelled = true
        remaining -= withdrawn
        return remaining == 0 || !hasStarted ? completion() : nil
    }

    /// Resumes the caller with `error` (nothing was queued).
    func fail(_ error: ClassificationQueueError) -> (() -> Void)? {
        resumption(.failure(error))
    }

    /// The caller's answer: every result, or `cancelled` if some images never ran. (A call
    /// cancelled once all its images had started still gets its results.)
    private func completion() -> (() -> Void)? {
        let finished = results.compactMap { $0 }
        if finished.count == results.count { return resumption(.success(finished)) }
        return resumption(.failure(isCancelled ? .cancelled : .shutDown))
    }

    private func resumption(_ outcome: Outcome) -> (() -> Void)? {
        guard let continuation else { return nil }
        self.continuation = nil
        return { continuation.resume(returning: outcome) }
    }
}
