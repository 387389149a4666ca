import CKernels
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
    /// How fast each thread has been running balanced regions lately (see
    /// ``runBalanced(_:)``); touched only by whoever holds the pool.
    let speeds: ThreadSpeeds

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
        /// The work of the current region: a pointer to the caller's value and its type. Written
        /// before `generation` is bumped and read after a worker observes the bump, so plain
        /// stored properties are safe. (A pointer and a metatype rather than a closure: making a
        /// non-escaping closure storable costs a heap allocation per region.)
        var work: UnsafeRawPointer?
        var workType: (any ParallelWork.Type)?
        var parts = 0

        init(workerCount: Int) { workers = (0..<workerCount).map { _ in Worker() } }
    }

    /// Creates a pool that runs regions on `threadCount` threads (the caller and
    /// `threadCount - 1` workers). With `splitsBySpeed` false, balanced regions are split equally
    /// instead of by each thread's measured speed (for comparison).
    public init(threadCount: Int, splitsBySpeed: Bool = true) {
        precondition(threadCount >= 1, "a thread pool needs at least one thread")
        self.threadCount = threadCount
        speeds = ThreadSpeeds(threadCount: threadCount, isLearning: splitsBySpeed)
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

    /// Runs `work.run(part: i, of: threadCount)` for every `i` in `0..<threadCount`, in
    /// parallel, and returns when all have finished; part 0 runs on the calling thread. If the
    /// pool is already busy (a nested call, or another thread's region), runs every part on the
    /// calling thread in turn. Allocates nothing.
    public func run<Work: ParallelWork>(_ work: Work) {
        let parts = threadCount
        guard parts > 1, acquire() else {
            for part in 0..<parts { work.run(part: part, of: parts) }
            return
        }
        dispatch(work)
        release()
    }

    /// Claims the pool for one region; false if a region is already running (nested, or on
    /// another thread).
    func acquire() -> Bool {
        state.isBusy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged
    }

    /// Gives the pool back after ``acquire()``.
    func release() {
        state.isBusy.store(false, ordering: .releasing)
    }

    /// Runs every part of `work` on the pool's threads and waits for all of them. The caller
    /// must hold the pool (``acquire()``).
    func dispatch<Work: ParallelWork>(_ work: Work) {
        let parts = threadCount
        withUnsafePointer(to: work) { pointer in
            state.work = UnsafeRawPointer(pointer)
            state.workType = Work.self
            state.parts = parts
            state.unfinished.store(state.workers.count, ordering: .relaxed)
            state.generation.add(1, ordering: .sequentiallyConsistent)
            for worker in state.workers
            where worker.isSleeping.exchange(false, ordering: .sequentiallyConsistent) {
                worker.wakeUp.signal()
            }
            work.run(part: 0, of: parts)
            // Spin while the workers are likely to finish within microseconds; then yield the core,
            // so a worker that was descheduled (more threads than cores) gets it back sooner.
            var spins = 0
            while state.unfinished.load(ordering: .acquiring) != 0 {
                spins += 1
                if spins < Self.spinIterations { spinPause() } else { sched_yield() }
            }
            state.work = nil
            state.workType = nil
        }
    }

    /// Runs `body(i)` for every `i` in `0..<threadCount`, like ``run(_:)-(Work)``, for callers
    /// outside the hot path: handing a closure to other threads costs one small heap allocation.
    public func run(_ body: (Int) -> Void) {
        withoutActuallyEscaping(body) { escapable in run(ClosureWork(body: escapable)) }
    }

    /// Splits `0..<count` into at most `threadCount` contiguous chunks of at least
    /// `minimumChunk` items and runs `work` on each chunk in parallel. Allocates nothing.
    public func parallelFor<Work: ParallelRangeWork>(_ count: Int, minimumChunk: Int = 1, _ work: Work) {
        guard count > 0 else { return }
        let chunks = min(threadCount, max(1, count / max(1, minimumChunk)))
        if chunks == 1 {
            work.run(0..<count)
            return
        }
        run(ChunkedWork(work: work, count: count, chunks: chunks))
    }

    /// ``parallelFor(_:minimumChunk:_:)-(_,_,Work)`` with a closure, for callers outside the hot
    /// path (one small heap allocation per call).
    public func parallelFor(_ count: Int, minimumChunk: Int = 1, _ body: (Range<Int>) -> Void) {
        withoutActuallyEscaping(body) { escapable in
            parallelFor(count, minimumChunk: minimumChunk, ClosureRangeWork(body: escapable))
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
            if let work = state.work, let workType = state.workType {
                workType.runErased(work, part: index, of: state.parts)
            }
            state.unfinished.subtract(1, ordering: .releasing)
        }
    }
}

/// Tells the CPU we are in a spin-wait loop (x86 `pause`), so the sibling hyperthread and the
/// power budget are not wasted while polling.
@inline(__always)
func spinPause() { ck_cpu_relax() }

/// Work that a ``ThreadPool`` splits into `parts` pieces, one per thread. Conforming types are
/// small structs holding what the work needs (matrix views, pointers); the pool passes a pointer
/// to the caller's value to its workers, so a parallel region allocates nothing.
public protocol ParallelWork {
    /// Runs piece `part` of `parts`; called once for every part, on different threads.
    func run(part: Int, of parts: Int)
}

extension ParallelWork {
    /// Runs part `part` of the `Self` value at `pointer` (the pool's type-erased entry point).
    static func runErased(_ pointer: UnsafeRawPointer, part: Int, of parts: Int) {
        pointer.assumingMemoryBound(to: Self.self).pointee.run(part: part, of: parts)
    }
}

/// Work over a range of indices that ``ThreadPool/parallelFor(_:minimumChunk:_:)-(_,_,Work)``
/// splits into contiguous chunks.
public protocol ParallelRangeWork {
    /// Processes the indices in `range`.
    func run(_ range: Range<Int>)
}

/// `work` over `0..<count`, in `chunks` nearly equal pieces.
struct ChunkedWork<Work: ParallelRangeWork>: ParallelWork {
    let work: Work
    let count: Int
    let chunks: Int

    func run(part: Int, of parts: Int) {
        guard part < chunks else { return }
        work.run(ThreadPool.chunk(part, of: chunks, splitting: count))
    }
}

private struct ClosureWork: ParallelWork {
    let body: (Int) -> Void
    func run(part: Int, of parts: Int) { body(part) }
}

private struct ClosureRangeWork: ParallelRangeWork {
    let body: (Range<Int>) -> Void
    func run(_ range: Range<Int>) { body(range) }
}
