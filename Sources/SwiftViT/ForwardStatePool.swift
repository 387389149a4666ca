import Synchronization
import Tensors
import VisionTransformer

/// Forward states for concurrent passes: each pass borrows one and returns it, so a classifier
/// shared by several threads never lets two passes write the same buffers, and a single-threaded
/// user keeps reusing one (no allocation after the first pass of its largest batch).
///
/// A state is sized for the largest batch it has been asked for, up to the batch size of the
/// options: labelling one image costs one image's activations, not a full batch's.
final class ForwardStatePool: Sendable {
    /// A state is not thread-safe, but one is only ever used by the pass that borrowed it.
    private struct Idle: @unchecked Sendable { var states: [ForwardState] = [] }
    private let idle = Mutex(Idle())
    private let makeState: @Sendable (_ batchCapacity: Int) -> ForwardState

    /// States made by `makeState(capacity)` when none idle is large enough.
    init(makeState: @escaping @Sendable (_ batchCapacity: Int) -> ForwardState) {
        self.makeState = makeState
    }

    /// Runs `body` with a state that holds at least `batch` images.
    func withState<Result>(batch: Int, _ body: (ForwardState) throws -> Result) rethrows -> Result {
        var state = idle.withLock { $0.states.popLast() }
        if state.map({ $0.batchCapacity < batch }) ?? true { state = makeState(batch) }
        defer { idle.withLock { $0.states.append(state!) } }
        return try body(state!)
    }
}
