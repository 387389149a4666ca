import Foundation

/// Why an asynchronous classification through a ``ClassificationQueue`` gave no labels.
public enum ClassificationQueueError: Error, Sendable, CustomStringConvertible, LocalizedError {
    /// The queue already holds `capacity` images waiting for a forward pass; nothing was
    /// queued. Retry later (a server answers 503).
    case queueFull(capacity: Int)
    /// The calling task was cancelled before its images reached a forward pass; they were
    /// taken out of the queue.
    case cancelled
    /// The queue was shut down (``ClassificationQueue/shutDown()``) before the call was made.
    case shutDown
    /// The image could not be read, decoded or preprocessed; the other images of the batch it
    /// was in are unaffected.
    case imageFailed(ImageClassifierError)
    /// A configuration value or argument (such as a top-k below 1) is out of range.
    case invalidArgument(String)

    /// A one-line message naming the problem (and the image, for ``imageFailed(_:)``).
    public var description: String {
        switch self {
        case .queueFull(let capacity):
            "the classification queue is full (\(capacity) images waiting); try again later"
        case .cancelled: "the classification was cancelled before it started"
        case .shutDown: "the classification queue has been shut down"
        case .imageFailed(let error): "\(error)"
        case .invalidArgument(let reason): reason
        }
    }

    /// The same message as ``description``.
    public var errorDescription: String? { description }
}
