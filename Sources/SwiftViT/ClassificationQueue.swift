/// Classifies images for many concurrent async callers by coalescing their calls into batched
/// forward passes (dynamic batching) on a compute thread of its own.
///
/// ```swift
/// let classifier = try ImageClassifier(directory: modelFolder, options: .init(batchSize: 8))
/// let queue = try ClassificationQueue(classifier: classifier,
///                                     configuration: .init(maximumBatchSize: 8, maximumWait: .milliseconds(5)))
/// // From any number of tasks at once:
/// let labels = try await queue.classify(.data(jpegBytes, name: "upload.jpg"), topK: 3)
/// ```
///
/// - The network runs on the queue's own thread (with the compute pool's workers), never on
///   Swift's cooperative thread pool: callers only suspend.
/// - Each image's labels are bit for bit those of the synchronous `classify` of the same image:
///   the network's logits do not depend on the batch an image shares (Architecture.md).
/// - The queue is bounded: a call that does not fit fails at once with
///   ``ClassificationQueueError/queueFull(capacity:)``, so memory stays bounded under overload.
/// - Cancelling the calling task takes its images out of the queue if they have not started
///   (the call then throws ``ClassificationQueueError/cancelled``); a forward pass that has
///   started is not interrupted.
///
/// ``ImageClassifier/classify(_:topK:)-(ImageInput,_)`` is the same service on a queue the
/// classifier creates for itself on first use.
public final class ClassificationQueue: Sendable {
    /// The classifier whose network the queue runs.
    public let classifier: ImageClassifier
    /// How calls are grouped into batches.
    public var configuration: ClassificationQueue.Configuration { worker.configuration }
    private let worker: CoalescingWorker

    /// Creates a queue and its compute thread.
    ///
    /// - Throws: ``ClassificationQueueError/invalidArgument(_:)`` if a limit is out of range, or
    ///   the maximum batch size exceeds the classifier's ``ImageClassifier/Options/batchSize``.
    public init(classifier: ImageClassifier, configuration: Configuration) throws(ClassificationQueueError) {
        if let problem = configuration.problem(for: classifier) { throw .invalidArgument(problem) }
        self.classifier = classifier
        self.worker = CoalescingWorker(classifier: classifier, configuration: configuration)
    }

    /// Creates a queue batching up to the classifier's batch size, with the default wait and
    /// capacity.
    public convenience init(classifier: ImageClassifier) {
        // The default configuration at the classifier's own batch size is always valid.
        try! self.init(classifier: classifier,
                       configuration: Configuration(maximumBatchSize: classifier.options.batchSize))
    }

    deinit { worker.stop() }

    /// Images waiting for a forward pass (not counting the batch running): the queue depth.
    public var waitingCount: Int { worker.waitingCount }

    /// Images in the forward pass running now (0 when idle).
    public var runningCount: Int { worker.runningImageCount }

    /// The `topK` most likely classes of `input`, best first, computed in a batch with whatever
    /// other calls are waiting.
    ///
    /// - Throws: ``ClassificationQueueError/imageFailed(_:)`` if the image cannot be read or
    ///   decoded; `queueFull`, `cancelled` or `shutDown` if it was not classified.
    public func classify(_ input: ImageInput, topK: Int = 5) async throws(ClassificationQueueError)
        -> [Classification] {
        try await worker.classify(input, topK: topK)
    }

    /// Classifies several images as one call: all are queued or none is (if they do not fit),
    /// and the result holds one entry per input, in order, with that input's error in place of
    /// its labels if it could not be read.
    public func classify(_ inputs: [ImageInput], topK: Int = 5) async throws(ClassificationQueueError)
        -> [Result<[Classification], ImageClassifierError>] {
        guard !inputs.isEmpty else { return [] }
        return try await worker.classify(inputs, topK: topK)
    }

    /// Stops accepting calls (new ones throw ``ClassificationQueueError/shutDown``), finishes
    /// every image already queued, and returns when the last batch is done.
    public func shutDown() async {
        await worker.drain()
    }
}
