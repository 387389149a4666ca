import CBLAS
import Foundation
import Synchronization

/// How matrix multiplies use the threads of the compute budget.
public enum GEMMParallelism: String, Sendable, CaseIterable {
    /// OpenBLAS runs each GEMM on its own threads (as many as ``ComputeThreads/count``); our
    /// pool runs only the element-wise kernels.
    case openBLASThreads
    /// OpenBLAS is single-threaded; our pool splits each GEMM's output columns into one
    /// independent GEMM per thread, and runs attention heads in parallel. One set of threads
    /// does everything, so there is never a second pool spinning on the same cores.
    case threadPool
}

/// The one thread-count setting of the process: it sizes the pool our kernels run on and the
/// threads OpenBLAS may use, so the two never oversubscribe the cores.
public enum ComputeThreads {
    private struct Settings {
        var pool: ThreadPool
        var gemmParallelism: GEMMParallelism
    }

    private static let settings: Mutex<Settings> = {
        OpenBLASRuntime.selectKernelsForThisCPU()
        let count = defaultCount
        let settings = Settings(pool: ThreadPool(threadCount: count), gemmParallelism: .threadPool)
        apply(settings)
        return Mutex(settings)
    }()

    /// The default thread count: the cores this process may run on.
    public static var defaultCount: Int { ProcessInfo.processInfo.activeProcessorCount }

    /// The current thread count.
    public static var count: Int { pool.threadCount }

    /// The pool our kernels run on.
    public static var pool: ThreadPool { settings.withLock { $0.pool } }

    /// How GEMMs use the threads (see ``GEMMParallelism``).
    public static var gemmParallelism: GEMMParallelism { settings.withLock { $0.gemmParallelism } }

    /// Sets the thread count (≥ 1) and, optionally, how GEMMs use the threads. Takes effect for
    /// work started afterwards; call it before starting inference, not during.
    public static func configure(count: Int? = nil, gemmParallelism: GEMMParallelism? = nil) {
        settings.withLock { settings in
            if let count, count != settings.pool.threadCount {
                precondition(count >= 1, "thread count must be at least 1")
                settings.pool = ThreadPool(threadCount: count)
            }
            if let gemmParallelism { settings.gemmParallelism = gemmParallelism }
            apply(settings)
        }
    }

    private static func apply(_ settings: Settings) {
        let blasThreads = settings.gemmParallelism == .openBLASThreads ? settings.pool.threadCount : 1
        openblas_set_num_threads(Int32(blasThreads))
    }
}
