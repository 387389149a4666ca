import Synchronization

/// Hands a call made inside `withCheckedContinuation` to the task's cancellation handler, which
/// may run before, during or after the call exists.
final class PendingBox: Sendable {
    private struct State: @unchecked Sendable {
        var call: PendingClassification?
        var isCancelled = false
    }
    private let state = Mutex(State())

    /// Stores `call`; returns true if the task was cancelled already (the call must not be queued).
    func set(_ call: PendingClassification) -> Bool {
        state.withLock { state in
            state.call = call
            return state.isCancelled
        }
    }

    /// Records the cancellation and runs `action` on the call if it exists yet.
    func whenSet(_ action: (PendingClassification) -> Void) {
        let call = state.withLock { state in
            state.isCancelled = true
            return state.call
        }
        if let call { action(call) }
    }
}
