import CBLAS

extension MatrixMultiply {
    /// The operands of one GEMM in a batch: `C ← α·op(A)·op(B) + β·C`.
    public struct BatchItem {
        /// The left operand.
        public var a: MatrixView
        /// The right operand.
        public var b: MatrixView
        /// The output.
        public var c: MutableMatrixView

        /// Creates the operands of one GEMM.
        public init(a: MatrixView, b: MatrixView, c: MutableMatrixView) {
            self.a = a
            self.b = b
            self.c = c
        }
    }

    /// Runs `count` independent GEMMs that share their transposition flags and scalars, such as
    /// the per-head products of attention (12 heads × 197×64×197 for ViT-B/16).
    ///
    /// Each GEMM is too small to split well, so under ``GEMMParallelism/threadPool`` the batch is
    /// divided among the pool's threads, each running whole single-threaded GEMMs; under
    /// ``GEMMParallelism/openBLASThreads`` they run one after another on OpenBLAS's threads.
    /// `operands(i)` must describe disjoint outputs.
    public static func batchedGEMM(count: Int, transposeA: Bool = false, transposeB: Bool = false,
                                   alpha: Float = 1, beta: Float = 0, pool: ThreadPool? = nil,
                                   operands: (Int) -> BatchItem) {
        let opA: Operand = transposeA ? .transposed : .normal
        let opB: Operand = transposeB ? .transposed : .normal
        func runOne(_ index: Int) {
            let item = operands(index)
            gemmOnCallingThread(item.a, opA, item.b, opB, into: item.c, alpha: alpha, beta: beta)
        }
        guard ComputeThreads.gemmParallelism == .threadPool else {
            for index in 0..<count { runOne(index) }
            return
        }
        (pool ?? ComputeThreads.pool).parallelFor(count) { range in
            for index in range { runOne(index) }
        }
    }

    /// `C ← alpha · op(A) · op(B) + beta · C` on the calling thread, never split across the
    /// pool: for callers that already run inside a parallel region of their own (attention
    /// runs heads in parallel and fuses softmax between its two products).
    public static func gemmOnCurrentThread(_ a: MatrixView, _ b: MatrixView, into c: MutableMatrixView,
                                           transposeA: Bool = false, transposeB: Bool = false,
                                           alpha: Float = 1, beta: Float = 0) {
        gemmOnCallingThread(a, transposeA ? .transposed : .normal, b, transposeB ? .transposed : .normal,
                            into: c, alpha: alpha, beta: beta)
    }

    /// One GEMM on the calling thread, without splitting; OpenBLAS itself may still use its
    /// threads under ``GEMMParallelism/openBLASThreads``.
    static func gemmOnCallingThread(_ a: MatrixView, _ opA: Operand, _ b: MatrixView, _ opB: Operand,
                                    into c: MutableMatrixView, alpha: Float, beta: Float) {
        let (m, n, k) = checkedDimensions(a, opA, b, opB, c)
        guard m > 0, n > 0 else { return }
        sgemm(a, opA, b, opB, c, m: m, n: n, k: k, columnOffset: 0, alpha: alpha, beta: beta)
    }
}
