import Synchronization
import Tensors

/// Workspaces for concurrent forward passes: each pass borrows one and returns it, so a
/// classifier shared by several threads never lets two passes write the same scratch memory,
/// and a single-threaded user keeps reusing one warmed-up workspace (no allocations).
final class WorkspacePool: Sendable {
    /// A workspace is not thread-safe, but one is only ever used by the pass that borrowed it.
    private struct Idle: @unchecked Sendable { var workspaces: [Workspace] = [] }
    private let idle = Mutex(Idle())

    func withWorkspace<Result>(_ body: (Workspace) throws -> Result) rethrows -> Result {
        let workspace = idle.withLock { $0.workspaces.popLast() } ?? Workspace()
        defer { idle.withLock { $0.workspaces.append(workspace) } }
        return try body(workspace)
    }
}
