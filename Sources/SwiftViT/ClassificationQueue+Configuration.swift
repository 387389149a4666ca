extension ClassificationQueue {
    /// How a queue groups concurrent calls into forward passes (dynamic batching).
    ///
    /// A batch starts when `maximumBatchSize` images are waiting, or when the oldest waiting
    /// image has waited `maximumWait`, whichever comes first. Images that arrive while a batch
    /// runs wait for the next one, so under load batches fill up by themselves; `maximumWait`
    /// only matters when the compute thread is idle, where it trades that much latency for the
    /// chance to batch callers that arrive together.
    public struct Configuration: Sendable {
        /// The most images one forward pass takes (at most the classifier's
        /// ``ImageClassifier/Options/batchSize``).
        public var maximumBatchSize: Int
        /// How long the first image of a batch may wait for others before the batch starts.
        public var maximumWait: Duration
        /// The most images that may wait for a forward pass (not counting the batch running);
        /// beyond it calls fail at once with ``ClassificationQueueError/queueFull(capacity:)``.
        public var capacity: Int
        /// Called on the compute thread after every batch, for metrics. Keep it short: the next
        /// batch starts when it returns.
        public var batchObserver: (@Sendable (BatchReport) -> Void)?

        /// Creates a configuration.
        public init(maximumBatchSize: Int = 8, maximumWait: Duration = .milliseconds(5), capacity: Int = 256,
                    batchObserver: (@Sendable (BatchReport) -> Void)? = nil) {
            self.maximumBatchSize = maximumBatchSize
            self.maximumWait = maximumWait
            self.capacity = capacity
            self.batchObserver = batchObserver
        }

        /// Why this configuration cannot be used with `classifier`, or `nil` if it can.
        func problem(for classifier: ImageClassifier) -> String? {
            if maximumBatchSize < 1 { return "the maximum batch size must be at least 1" }
            if maximumBatchSize > classifier.options.batchSize {
                return "the maximum batch size (\(maximumBatchSize)) exceeds the classifier's batch size "
                    + "(\(classifier.options.batchSize)); create the classifier with a larger Options.batchSize"
            }
            if maximumWait < .zero { return "the maximum wait must not be negative" }
            if capacity < 1 { return "the queue capacity must be at least 1" }
            return nil
        }
    }

    /// What one forward pass of a queue did, reported to ``Configuration/batchObserver``.
    public struct BatchReport: Sendable {
        /// Images taken from the queue for this batch (including any that failed to decode).
        public var imageCount: Int
        /// Images that went through the network (the others failed to decode or preprocess).
        public var classifiedCount: Int
        /// Time spent decoding and preprocessing the batch's images.
        public var preparationDuration: Duration
        /// Time spent in the network.
        public var inferenceDuration: Duration
        /// Images still waiting when the batch finished.
        public var waitingCount: Int
    }
}
