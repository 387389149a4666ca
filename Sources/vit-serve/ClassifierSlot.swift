import Synchronization
import SwiftViT

/// Where the server's classifier is in its life, for the handlers: still loading, serving, or
/// shutting down (no longer ready, finishing what it holds).
final class ClassifierSlot: Sendable {
    private enum State {
        case loading
        case ready(ClassificationQueue)
        case stopping(ClassificationQueue?)
    }
    private let state = Mutex<State>(.loading)

    /// The queue to send images to, while the server takes requests.
    var queue: ClassificationQueue? {
        state.withLock { state in
            switch state {
            case .ready(let queue): queue
            case .stopping(let queue): queue    // requests already admitted still get their labels
            case .loading: nil
            }
        }
    }

    /// Whether `/ready` says yes: loaded and not shutting down.
    var isReady: Bool {
        state.withLock { state in
            if case .ready = state { return true }
            return false
        }
    }

    /// Whether shutdown has begun.
    var isStopping: Bool {
        state.withLock { state in
            if case .stopping = state { return true }
            return false
        }
    }

    func serve(_ queue: ClassificationQueue) {
        state.withLock { state in
            if case .loading = state { state = .ready(queue) }
        }
    }

    func beginStopping() {
        state.withLock { state in
            switch state {
            case .ready(let queue): state = .stopping(queue)
            case .loading: state = .stopping(nil)
            case .stopping: break
            }
        }
    }
}
