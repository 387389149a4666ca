import Foundation
import Tensors

/// The compute thread behind a ``ClassificationQueue``: it waits for images, groups them into
/// batches (up to the maximum batch size, or once the oldest has waited the maximum wait),
/// decodes and preprocesses each batch across the compute pool, runs the network, and resumes
/// the callers.
///
/// All of this happens on a thread of its own (the pool's caller thread during a pass), never on
/// Swift's cooperative pool: an async caller only suspends on a continuation.
///
/// The thread holds the worker until ``stop()``; the queue that owns the worker calls it from its
/// `deinit`. The classifier is `unowned`: it outlives every batch, because each waiting caller
/// holds the queue (or, for the classifier's own queue, the classifier).
final class CoalescingWorker: @unchecked Sendable {
    private typealias Entry = (call: PendingClassification, index: Int)

    unowned let classifier: ImageClassifier
    let configuration: ClassificationQueue.Configuration
    private let condition = NSCondition()
    // Guarded by `condition`:
    private var waiting: [Entry] = []
    private var runningCount = 0
    private var isClosed = false
    private var isStopped = false
    private var drainWaiters: [CheckedContinuation<Void, Never>] = []

    init(classifier: ImageClassifier, configuration: ClassificationQueue.Configuration) {
        self.classifier = classifier
        self.configuration = configuration
        let thread = Thread { [self] in
            Self.nameCurrentThread("vit-batching")
            run()
        }
        thread.start()
    }

    /// Images waiting for a batch (not counting the batch running).
    var waitingCount: Int { withLock { waiting.count } }

    /// Images in the batch running now.
    var runningImageCount: Int { withLock { runningCount } }

    /// Queues all of `call`'s images, or none if they do not fit or the queue is closed.
    func submit(_ call: PendingClassification) {
        let resume: (() -> Void)? = withLock {
            if call.isCancelled { return nil }      // cancelled before it got here: already answered
            if isClosed { return call.fail(.shutDown) }
            guard waiting.count + call.inputs.count <= configuration.capacity else {
                return call.fail(.queueFull(capacity: configuration.capacity))
            }
            waiting += call.inputs.indices.map { (call, $0) }
            condition.signal()
            return nil
        }
        resume?()
    }

    /// Takes `call`'s images that have not started out of the queue.
    func cancel(_ call: PendingClassification) {
        let resume: (() -> Void)? = withLock {
            let before = waiting.count
            waiting.removeAll { $0.call === call }
            let resume = call.cancel(withdrawing: before - waiting.count)
            if waiting.isEmpty { notifyDrainedIfIdle() }
            return resume
        }
        resume?()
    }

    /// Refuses new calls from now on, runs every image already queued, and returns once the
    /// last batch has finished.
    func drain() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            withLock {
                isClosed = true
                drainWaiters.append(continuation)
                condition.signal()      // a waiting batch need not wait for more images now
                notifyDrainedIfIdle()
            }
        }
    }

    /// Ends the thread once the queue is empty (from the owner's `deinit`).
    func stop() {
        withLock {
            isClosed = true
            isStopped = true
            condition.signal()
        }
    }

    // MARK: - The compute thread

    private func run() {
        while let batch = nextBatch() { process(batch) }
    }

    /// Waits until a batch is due and takes it out of the queue; `nil` when stopped and empty.
    private func nextBatch() -> [Entry]? {
        withLock {
            while true {
                guard let oldest = waiting.first else {
                    if isStopped { return nil }
                    condition.wait()
                    continue
                }
                let deadline = oldest.call.arrival + configuration.maximumWait
                let now = ContinuousClock.now
                if waiting.count >= configuration.maximumBatchSize || isClosed || now >= deadline {
                    let batch = Array(waiting.prefix(configuration.maximumBatchSize))
                    waiting.removeFirst(batch.count)
                    for entry in batch { entry.call.hasStarted = true }
                    runningCount = batch.count
                    return batch
                }
                _ = condition.wait(until: Date(timeIntervalSinceNow: (deadline - now).seconds))
            }
        }
    }

    /// Prepares, classifies and delivers one batch.
    private func process(_ batch: [Entry]) {
        let start = ContinuousClock.now
        let prepared = prepare(batch)
        let preparedAt = ContinuousClock.now
        let images = prepared.compactMap { try? $0.get() }
        // One pass at the largest top-k asked: a smaller k's labels are a prefix of it.
        let largestTopK = batch.map { $0.call.topK }.max() ?? 0
        let labelled = Result { () throws(ImageClassifierError) in
            try classifier.classify(images, topK: largestTopK)
        }
        let end = ContinuousClock.now
        var results: [Result<[Classification], ImageClassifierError>] = []
        var next = 0
        for (entry, preparation) in zip(batch, prepared) {
            results.append(preparation.flatMap { _ in
                defer { next += 1 }
                return labelled.map { Array($0[next].prefix(entry.call.topK)) }
            })
        }
        // Reported before the callers resume, so a caller that then reads the metrics sees its batch.
        configuration.batchObserver?(ClassificationQueue.BatchReport(
            imageCount: batch.count, classifiedCount: images.count, preparationDuration: preparedAt - start,
            inferenceDuration: end - preparedAt, waitingCount: waitingCount))
        let resumptions = withLock {
            let resumptions = zip(batch, results).compactMap { entry, result in
                entry.call.finish(entry.index, with: result)
            }
            runningCount = 0
            notifyDrainedIfIdle()
            return resumptions
        }
        for resume in resumptions { resume() }
    }

    /// Decodes and preprocesses the batch's images, spread over the compute pool's threads.
    private func prepare(_ batch: [Entry]) -> [Result<PreparedImage, ImageClassifierError>] {
        var prepared = [Result<PreparedImage, ImageClassifierError>](
            repeating: .failure(.invalidArgument("not prepared")), count: batch.count)
        let classifier = self.classifier
        prepared.withUnsafeMutableBufferPointer { output in
            let output = SendableBuffer(buffer: output)
            classifier.pool.parallelFor(batch.count) { range in
                for index in range {
                    let entry = batch[index]
                    output.buffer[index] = Result { () throws(ImageClassifierError) in
                        try classifier.prepare(entry.call.inputs[entry.index])
                    }
                }
            }
        }
        return prepared
    }

    // MARK: - Helpers

    /// Resumes the drain waiters when the queue is closed, empty and no batch runs. Call with
    /// the lock held.
    private func notifyDrainedIfIdle() {
        guard isClosed, waiting.isEmpty, runningCount == 0, !drainWaiters.isEmpty else { return }
        let waiters = drainWaiters
        drainWaiters = []
        for waiter in waiters { waiter.resume() }
    }

    /// Names the calling thread (what `top -H`, debuggers and crash reports show). On Linux,
    /// Foundation drops a name set before `start()` and sometimes one set from inside the thread
    /// too, leaving the creator's name (a cooperative thread's), so the kernel's name is written
    /// as well. Linux keeps 15 bytes of it.
    private static func nameCurrentThread(_ name: String) {
        Thread.current.name = name
        #if os(Linux)
        let descriptor = open("/proc/thread-self/comm", O_WRONLY)
        guard descriptor >= 0 else { return }
        _ = Array(name.utf8.prefix(15)).withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        close(descriptor)
        #endif
    }

    private func withLock<Value>(_ body: () -> Value) -> Value {
        condition.lock()
        defer { condition.unlock() }
        return body()
    }
}

/// Lets the pool's threads write disjoint elements of one buffer.
private struct SendableBuffer<Element>: @unchecked Sendable {
    let buffer: UnsafeMutableBufferPointer<Element>
}

extension Duration {
    /// The duration in seconds, as a floating-point number.
    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) * 1e-18
    }
}
