import Foundation
import Synchronization

/// A fixed set of worker threads that run one parallel region at a time, with no heap allocation
/// per region once created.
///
/// Why not `DispatchQueue.concurrentPerform`: the forward pass runs dozens of short parallel
/// regions per image (tens of microseconds each), and Dispatch's wake-up latency and its own
/// thread pool (which knows nothing of OpenBLAS's threads) made the budget of cores hard to keep.
/// Workers here spin briefly after a region (the next one usually follows within microseconds),
/// then sleep on a semaphore so an idle pool costs nothing.
///
/// Regions do not nest: a region started from inside a region, or while another thread's region
/// is running, runs on the calling thread alone. That keeps two classifiers used from two threads
/// correct (each simply gets fewer threads) instead of deadlocking.
public final class ThreadPool: @unchecked Sendable {
    /// The number of threads a region runs on, counting the caller.
    public let threadCount: Int
    private let state: SharedState

    /// How long a worker polls for the next region before it goes to sleep.
    private static let spinIterations = 20_000

    private final class Worker: @unchecked Sendable {
        let wakeUp = DispatchSemaphore(value: 0)
        let isSleeping = Atomic<Bool>(false)
    }

    /// What the caller and the workers share. Workers hold it strongly, so it outlives the pool
    /// object until every worker has seen the shutdown.
    private final class SharedState: @unchecked Sendable {
        let workers: [Worker]
        /// Bumped once per region; workers watch it to learn that there is work.
        let generation = Atomic<Int>(0)
        /// Workers still running the current region.
        let unfinished = Atomic<Int>(0)
        /// Set while a region runs; a second caller finding it set runs its region alone.
        let isBusy = Atomic<Bool>(false)
        let isShuttingDown = Atomic<Bool>(false)
        /// The body of the current region. Written before `generation` is bumped and read after a
        /// worker observes the bump, so the plain stored property is safe.
        var body: ((Int) -> Void)?

        init(workerCount: Int) { workers = (0..<workerCount).map { _ in Worker() } }
    }

    /// Creates a pool that runs regions on `threadCount` threads (the caller and
    /// `threadCount - 1` workers).
    public init(threadCount: Int) {
        precondition(threadCount >= 1, "a thread pool needs at least one thread")
        self.threadCount = threadCount
        let state = SharedState(workerCount: threadCount - 1)
        self.state = state
        for (index, worker) in state.workers.enumerated() {
            let thread = Thread { Self.workerLoop(index: index + 1, worker: worker, state: state) }
            thread.name = "SwiftViT compute \(index + 1)"
            thread.stackSize = 1 << 20
            thread.start()
        }
    }

    deinit {
        state.isShuttingDown.store(true, ordering: .sequentiallyConsistent)
        state.generation.add(1, ordering: .sequentiallyConsistent)
        for worker in state.workers { worker.wakeUp.signal() }
    }

    /// Runs `body(i)` for every `i` in `0..<threadCount`, in parallel, and returns when all have
    /// finished. `body(0)` runs on the calling thread. If the pool is already busy (a nested
    /// call, or another thread's region), runs every part on the calling thread in turn.
    public func run(_ body: (Int) -> Void) {
        guard threadCount > 1,
              state.isBusy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged
        else {
            for part in 0..<threadCount { body(part) }
            return
        }
        withoutActuallyEscaping(body) { escapable in
            state.body = escapable
            state.unfinished.store(state.workers.count, ordering: .relaxed)
            state.generation.add(1, ordering: .sequentiallyConsistent)
            for worker in state.workers
            where worker.isSleeping.exchange(false, ordering: .sequentiallyConsistent) {
                worker.wakeUp.signal()
            }
            escapable(0)
            while state.unfinished.load(ordering: .acquiring) != 0 { spinPause() }
            state.body = nil
        }
        state.isBusy.store(false, ordering: .releasing)
    }

    /// Splits `0..<count` into at most `threadCount` contiguous chunks of at least
    /// `minimumChunk` items and runs `body` on each chunk in parallel.
    public func parallelFor(_ count: Int, minimumChunk: Int = 1, _ body: (Range<Int>) -> Void) {
        guard count > 0 else { return }
        let chunks = min(threadCount, max(1, count / max(1, minimumChunk)))
        if chunks == 1 {
            body(0..<count)
            return
        }
        run { part in
            guard part < chunks else { return }
            body(Self.chunk(part, of: chunks, splitting: count))
        }
    }

    /// The `part`-th of `parts` nearly equal contiguous ranges covering `0..<count`.
    public static func chunk(_ part: Int, of parts: Int, splitting count: Int) -> Range<Int> {
        let base = count / parts, extra = count % parts
        let start = part * base + min(part, extra)
        return start..<(start + base + (part < extra ? 1 : 0))
    }

    private static func workerLoop(index: Int, worker: Worker, state: SharedState) {
        // Start from generation 0, the value at creation, not from a fresh load: a region may
        // already have started before this thread first runs, and reading its bumped
        // generation here would make the worker skip it and the caller wait forever.
        var seen = 0
        while true {
            var spins = 0
            var current = state.generation.load(ordering: .acquiring)
            while current == seen {
                spins += 1
                if spins < spinIterations {
                    spinPause()
                } else {
                    // Announce the sleep, then re-check: the caller bumps `generation` before it
                    // looks at `isSleeping`, so one of us always sees the other.
                    worker.isSleeping.store(true, ordering: .sequentiallyConsistent)
                    if state.generation.load(ordering: .sequentiallyConsistent) == seen {
                        worker.wakeUp.wait()
                    } else if !worker.isSleeping.exchange(false, ordering: .sequentiallyConsistent) {
                        // The caller already claimed our flag and will signal: consume it.
                        worker.wakeUp.wait()
                    }
                    spins = 0
                }
                current = state.generation.load(ordering: .acquiring)
            }
            seen = current
            if state.isShuttingDown.load(ordering: .acquiring) { return }
            state.body?(index)
            state.unfinished.subtract(1, ordering: .releasing)
        }
    }
}

/// Tells the CPU we are in a spin-wait loop (x86 `pause`), so the sibling hyperthread and the
/// power budget are not wasted while polling.
@inline(__always)
func spinPause() {
    #if arch(x86_64) || arch(i386)
    _mm_pause_equivalent()
    #else
    sched_yield()
    #endif
}

@inline(__always)
private func _mm_pause_equivalent() {
    // Swift has no pause intrinsic; a relaxed atomic load keeps the loop from being optimised
    // away and is cheap enough between polls.
    _ = spinCounter.load(ordering: .relaxed)
}

private let spinCounter = Atomic<Int>(0)
