import Synchronization

/// Images classified per second over the last few seconds, for the `vit_serve_images_per_second`
/// gauge (a counter's `rate()` needs a Prometheus server; this answers a plain scrape too).
final class ThroughputWindow: Sendable {
    private struct Completion {
        var time: ContinuousClock.Instant
        var images: Int
    }
    private let span: Duration
    private let completions = Mutex<[Completion]>([])

    init(span: Duration = .seconds(10)) { self.span = span }

    /// Counts `images` finished now.
    func record(_ images: Int) {
        let now = ContinuousClock.now
        completions.withLock { list in
            list.append(Completion(time: now, images: images))
            list.removeAll { now - $0.time > span }
        }
    }

    /// Images per second over the window (0 when nothing finished in it).
    var imagesPerSecond: Double {
        let now = ContinuousClock.now
        let total = completions.withLock { list in
            list.removeAll { now - $0.time > span }
            return list.reduce(0) { $0 + $1.images }
        }
        return Double(total) / span.inSeconds
    }
}
