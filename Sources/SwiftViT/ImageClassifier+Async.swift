import Synchronization

extension ImageClassifier {
    /// The `topK` most likely classes of `input`, best first, without blocking the calling task's
    /// thread: concurrent calls are coalesced into batched forward passes on the classifier's own
    /// compute thread (see ``ClassificationQueue``).
    ///
    /// ```swift
    /// let labels = try await classifier.classify(.file(url), topK: 3)
    /// ```
    ///
    /// The queue is created on the first call, batching up to ``Options/batchSize`` images and
    /// waiting at most 5 ms for a batch to fill, with room for 256 waiting images. For other
    /// limits, or to drain it at shutdown, create a ``ClassificationQueue`` of your own.
    ///
    /// - Throws: ``ClassificationQueueError/imageFailed(_:)`` if the image cannot be read or
    ///   decoded, ``ClassificationQueueError/queueFull(capacity:)`` when 256 images are waiting
    ///   already, ``ClassificationQueueError/cancelled`` if the task is cancelled first.
    public func classify(_ input: ImageInput, topK: Int = 5) async throws(ClassificationQueueError)
        -> [Classification] {
        try await ownQueue.worker(for: self).classify(input, topK: topK)
    }
}

/// The compute thread behind ``ImageClassifier/classify(_:topK:)-(ImageInput,_)``, started on
/// first use and stopped with the classifier.
final class OwnClassificationQueue: Sendable {
    private let worker = Mutex<CoalescingWorker?>(nil)

    init() {}

    func worker(for classifier: ImageClassifier) -> CoalescingWorker {
        worker.withLock { worker in
            if let worker { return worker }
            let created = CoalescingWorker(
                classifier: classifier,
                configuration: ClassificationQueue.Configuration(maximumBatchSize: classifier.options.batchSize))
            worker = created
            return created
        }
    }

    deinit { worker.withLock { $0?.stop() } }
}
