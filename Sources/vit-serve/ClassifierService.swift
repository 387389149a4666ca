import Logging
import ServiceLifecycle
import SwiftViT

/// Loads the model, serves it through a ``ClassificationQueue`` until graceful shutdown, then
/// finishes every image still queued.
///
/// It runs beside the HTTP server in one service group, listed before it: the group shuts
/// services down in reverse order, so the server stops taking connections and answers its
/// in-flight requests first, and the queue is drained after.
struct ClassifierService: Service {
    let model: String
    let options: ImageClassifier.Options
    let queueConfiguration: ClassificationQueue.Configuration
    let slot: ClassifierSlot
    let metrics: ServerMetrics
    let logger: Logger

    func run() async throws {
        let start = ContinuousClock.now
        let classifier: ImageClassifier
        do {
            classifier = try await ImageClassifier(model: model, options: options)
        } catch {
            throw UsageError("cannot load the model: \(error)")
        }
        var configuration = queueConfiguration
        let metrics = self.metrics
        configuration.batchObserver = { metrics.recordBatch($0) }
        let queue = try ClassificationQueue(classifier: classifier, configuration: configuration)
        // One pass before saying ready, so the first request does not pay for first-touch page
        // faults and scratch allocation.
        let side = classifier.configuration.imageSize
        _ = try? await queue.classify(.image(RGBImage(width: side, height: side,
                                                      pixels: [UInt8](repeating: 128, count: side * side * 3))))
        slot.serve(queue)
        metrics.setReady(true)
        logger.info("ready", metadata: [
            "model": "\(classifier.files?.directory.path ?? model)", "labels": "\(classifier.labels.count)",
            "load_seconds": "\(classifier.loadDuration.inSeconds)",
            "ready_seconds": "\((ContinuousClock.now - start).inSeconds)"])
        try? await gracefulShutdown()
        slot.beginStopping()
        metrics.setReady(false)
        await queue.shutDown()
        logger.info("classification queue drained")
    }
}

/// Flips `/ready` to 503 as soon as shutdown begins. Listed last in the service group, so it
/// is the first service told, before the HTTP server starts draining.
struct ReadinessService: Service {
    let slot: ClassifierSlot
    let metrics: ServerMetrics
    let logger: Logger

    func run() async throws {
        try? await gracefulShutdown()
        slot.beginStopping()
        metrics.setReady(false)
        logger.info("shutting down: no longer ready; finishing requests in flight")
    }
}
