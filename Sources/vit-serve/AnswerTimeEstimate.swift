/// How long a request arriving now is likely to take, from the work ahead of it: the images
/// waiting and running, then its own, at the server's recent seconds per image.
///
/// A request that cannot be answered within the request timeout is refused at once (503 with
/// `Retry-After`) rather than admitted to time out later (504), so a place in the queue goes to a
/// request that will get its labels. Seen under overload: 256 `wrk` clients on the server's own
/// two cores left the forward pass 1.6 img/s, and 16 of the 80 requests admitted in 40 s outlived
/// the 30 s timeout. Those were the opening burst, admitted before any batch had run under the
/// load, which no estimate from past batches can refuse.
struct AnswerTimeEstimate: Sendable {
    /// Images waiting in the queue.
    var waiting: Int
    /// Images in the forward pass now.
    var running: Int
    /// Recent seconds per image (decoding, preprocessing and the network).
    var secondsPerImage: Double

    /// Seconds until the request's own image is through: everything ahead of it, then itself. The
    /// running batch is counted whole, so the estimate errs long by at most one batch.
    var seconds: Double { Double(waiting + running + 1) * secondsPerImage }

    /// Whether the request should be refused: the estimate is over `timeout` seconds.
    func exceeds(timeout: Double) -> Bool { seconds > timeout }
}
