import Prometheus
import SwiftViT
import Synchronization

/// The server's Prometheus metrics (`GET /metrics`, text exposition format).
///
/// | metric | type | what |
/// |---|---|---|
/// | `vit_serve_requests_total{route,status}` | counter | requests answered, by route and HTTP status |
/// | `vit_serve_request_duration_seconds{route}` | histogram | time from request to response |
/// | `vit_serve_batch_size` | histogram | images per forward pass |
/// | `vit_serve_batch_duration_seconds` | histogram | time per batch (decode + network) |
/// | `vit_serve_images_total` | counter | images that went through the network |
/// | `vit_serve_images_per_second` | gauge | the same over the last 10 s |
/// | `vit_serve_queue_depth` | gauge | images waiting for a forward pass |
/// | `vit_serve_running_images` | gauge | images in the forward pass now |
/// | `vit_serve_requests_in_flight` | gauge | classify requests admitted and not yet answered |
/// | `vit_serve_ready` | gauge | 1 once the model is loaded and the server takes requests |
final class ServerMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    private let batchSizes: ValueHistogram
    private let batchDurations: DurationHistogram
    private let images: Counter
    private let imagesPerSecond: Gauge
    private let queueDepth: Gauge
    private let running: Gauge
    private let inFlight: Gauge
    private let ready: Gauge
    private let window = ThroughputWindow()
    private let isReady = Atomic<Bool>(false)
    /// Recent seconds per batch (exponentially weighted), for `Retry-After` estimates.
    private let recentBatchSeconds = Mutex<Double?>(nil)
    /// Recent seconds per image taken from the queue (exponentially weighted over batches), for
    /// the admission estimate.
    private let recentImageSeconds = Mutex<Double?>(nil)

    static let latencyBuckets: [Duration] = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60]
        .map { Duration.milliseconds(Int64($0 * 1000)) }

    init(maximumBatchSize: Int) {
        let sizes = Array(Set([1, 2, 4, 8, 16, 32, 64].filter { $0 < maximumBatchSize } + [maximumBatchSize])).sorted()
        batchSizes = registry.makeValueHistogram(descriptor: Self.name("batch", "size", "Images per forward pass"),
                                                 buckets: sizes.map(Double.init))
        batchDurations = registry.makeDurationHistogram(
            descriptor: Self.name("batch_duration", "seconds", "Time per batch: decoding, preprocessing and the network"),
            buckets: Self.latencyBuckets)
        images = registry.makeCounter(descriptor: Self.name("images", "total", "Images that went through the network"))
        imagesPerSecond = registry.makeGauge(descriptor: Self.name(
            "images", "per_second", "Images through the network per second, over the last 10 s"))
        queueDepth = registry.makeGauge(descriptor: Self.name("queue", "depth", "Images waiting for a forward pass"))
        running = registry.makeGauge(descriptor: Self.name("running", "images", "Images in the forward pass now"))
        inFlight = registry.makeGauge(descriptor: Self.name(
            "requests", "in_flight", "Classify requests admitted and not yet answered"))
        ready = registry.makeGauge(descriptor: Self.name("ready", "", "1 once the model is loaded"))
    }

    /// `vit_serve_<metric>_<unit>`.
    private static func name(_ metric: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "vit_serve", metricName: metric, unitName: unit, helpText: help)
    }

    /// Counts one answered request.
    func recordRequest(route: String, status: Int, duration: Duration) {
        registry.makeCounter(descriptor: Self.name("requests", "total", "Requests answered, by route and HTTP status"),
                             labels: [("route", route), ("status", String(status))]).increment()
        registry.makeDurationHistogram(
            descriptor: Self.name("request_duration", "seconds", "Time from request to response"),
            labels: [("route", route)], buckets: Self.latencyBuckets).record(duration)
    }

    /// Records one forward pass (called on the compute thread). Passes before the server is
    /// ready (the warm-up) are not counted.
    func recordBatch(_ report: ClassificationQueue.BatchReport) {
        guard isReady.load(ordering: .relaxed), report.classifiedCount > 0 else { return }
        let total = report.preparationDuration + report.inferenceDuration
        batchSizes.record(Double(report.classifiedCount))
        batchDurations.record(total)
        images.increment(by: Int64(report.classifiedCount))
        window.record(report.classifiedCount)
        let seconds = total.inSeconds
        recentBatchSeconds.withLock { $0 = Self.weighted($0, seconds) }
        recentImageSeconds.withLock { $0 = Self.weighted($0, seconds / Double(report.imageCount)) }
    }

    /// `average` moved a quarter of the way to `value` (or `value` when there is no average yet).
    private static func weighted(_ average: Double?, _ value: Double) -> Double {
        average.map { 0.75 * $0 + 0.25 * value } ?? value
    }

    /// The recent seconds per image, or nil before the first batch.
    var secondsPerImage: Double? { recentImageSeconds.withLock { $0 } }

    /// Seconds until `waiting` images (plus the batch running) are likely through, at least 1.
    func retryAfterSeconds(waiting: Int, maximumBatchSize: Int) -> Int {
        let perBatch = recentBatchSeconds.withLock { $0 } ?? 1
        let batches = Double(waiting / max(1, maximumBatchSize) + 1)
        return min(60, max(1, Int((batches * perBatch).rounded(.up))))
    }

    func setReady(_ ready: Bool) {
        isReady.store(ready, ordering: .relaxed)
        self.ready.set(to: ready ? 1 : 0)
    }

    /// The exposition text, with the queue and admission gauges read now.
    func render(queue: ClassificationQueue?, inFlight requests: Int) -> [UInt8] {
        inFlight.set(to: Double(requests))
        queueDepth.set(to: Double(queue?.waitingCount ?? 0))
        running.set(to: Double(queue?.runningCount ?? 0))
        imagesPerSecond.set(to: window.imagesPerSecond)
        return registry.emitToBuffer()
    }
}
