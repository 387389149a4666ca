import Synchronization
import Tensors
import VisionTransformer

/// Forward states for concurrent passes: each pass borrows one and returns it, so a classifier
/// shared by several threads never lets two passes write the same buffers, and a single-threaded
/// user keeps reusing one (no allocation after the first pass).
final class ForwardStatePool: Sendable {
    /// A state is not thread-safe, but one is only ever used by the pass that borrowed it.
    private struct Idle: @unchecked Sendable { var states: [ForwardState] = [] }
    private let idle = Mutex(Idle())
    private let makeState: @Sendable () -> ForwardState

    /// States made by `makeState` when none is idle.
    init(makeState: @escaping @Sendable () -> ForwardState) {
        self.makeState = makeState
    }

    func withState<Result>(_ body: (ForwardState) throws -> Result) rethrows -> Result {
        let state = idle.withLock { $0.states.popLast() } ?? makeState()
        defer { idle.withLock { $0.states.append(state) } }
        return try body(state)
    }
}
