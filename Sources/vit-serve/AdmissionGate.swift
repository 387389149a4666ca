import Synchronization

/// Caps the classify requests in flight (reading their body, waiting in the queue, or in the
/// forward pass). A request over the cap is answered 503 before its body is read, so the
/// memory held for bodies stays below `limit × --max-body-bytes` however many clients connect.
final class AdmissionGate: Sendable {
    let limit: Int
    private let inFlight = Atomic<Int>(0)

    init(limit: Int) { self.limit = limit }

    /// Takes a place; false (and nothing taken) when all `limit` are in use.
    func enter() -> Bool {
        var current = inFlight.load(ordering: .relaxed)
        while current < limit {
            let (exchanged, original) = inFlight.compareExchange(expected: current, desired: current + 1,
                                                                 ordering: .acquiringAndReleasing)
            if exchanged { return true }
            current = original
        }
        return false
    }

    /// Gives back a place taken by ``enter()``.
    func leave() { inFlight.subtract(1, ordering: .acquiringAndReleasing) }

    /// Requests in flight now.
    var count: Int { inFlight.load(ordering: .relaxed) }
}
