import CBLAS
import CKernels

/// Matrix products: ours, `C = act(α·A·B + bias) + residual` with `B` packed (``PackedPanels``),
/// and OpenBLAS's `cblas_sgemm` (the reference in tests, and the kernels of
/// ``VectorInstructionSet/baseline``).
///
/// Our kernels compute every output element in one accumulator, summing `k = 0, 1, …, K−1` in order
/// with one fused multiply-add each (see `ck_gemm.h`): however the panels are split between
/// threads, whatever the batch (`M`) or the instruction set, an element gets the same bits.
public enum MatrixMultiply {
    /// Scratch floats ``multiply(_:_:into:epilogue:scratch:pool:)`` may use for an `m × k` times
    /// `k × n` product on `instructionSet` in `precision`, A's rows `leadingDimension` apart (packed A
    /// when its rows alias in the L1 cache, and always in reduced precision, with int8's row scales;
    /// the product before its epilogue on OpenBLAS).
    public static func scratchCount(m: Int, n: Int, k: Int, leadingDimension: Int? = nil,
                                    instructionSet: VectorInstructionSet,
                                    precision: ComputePrecision = .float32) -> Int {
        guard instructionSet.hasOwnGEMM else { return m * n }
        let height = PackedRows.stripHeight(instructionSet)
        let strips = (m + height - 1) / height
        switch precision {
        case .float32: return prefersPackedA(m: m, leadingDimension: leadingDimension ?? k) ? ck_packed_a_count(m, k, height) : 0
        case .bfloat16: return PackedRows.wordCount(rows: m, columns: k, instructionSet: instructionSet)
        case .int8: return strips * height * ((k + 3) / 4) + 2 * strips * height  // words, row scales, zero points
        }
    }

    /// The kernel a product in `precision` runs on `instructionSet`, as reports name it.
    public static func kernelName(_ instructionSet: VectorInstructionSet, _ precision: ComputePrecision) -> String {
        if let native = NativeDotInstruction.forProducts(precision, on: instructionSet) { return native.kernelName }
        switch (instructionSet, precision) {
        case (.baseline, _): return "OpenBLAS sgemm + portable epilogue"
        case (_, .float32): return "\(instructionSet) fp32 FMA"
        case (_, .bfloat16): return "\(instructionSet) bfloat16 emulated with fp32 FMA"
        case (_, .int8): return "\(instructionSet) int8 vpmaddwd (16-bit pairs)"
        }
    }

    /// Whether `A` is packed into strips before the product rather than read in place: only when its
    /// rows are a multiple of 4 KB apart, so that a tile's 12 rows fall into the same L1 sets (the
    /// L1 is indexed by address bits 6–11). Measured, single thread, Zen 4, 1576 × 768 × 3072:
    /// rows 3072 floats apart, in place 63 % of peak, packed (copy included) 67 %; rows 3088 floats
    /// apart, in place 89 %. Buffers of our own are laid out with ``paddedLeadingDimension(_:)``.
    static func prefersPackedA(m: Int, leadingDimension: Int) -> Bool { m > 1 && leadingDimension % 1024 == 0 }

    /// The leading dimension to give a matrix of `columns` floats that GEMMs will read in place:
    /// `columns` itself, or 16 more when rows would be a multiple of 1 KB apart (their tiles' rows
    /// would then collide in few L1 sets).
    public static func paddedLeadingDimension(_ columns: Int) -> Int {
        columns % 256 == 0 ? columns + 16 : columns
    }

    /// `C ← act(α·A·B + bias) + residual`, with `B` packed for `b.instructionSet`'s kernels.
    ///
    /// - Parameters:
    ///   - scratch: ``scratchCount(m:n:k:instructionSet:)`` floats (64-byte aligned), or `nil` to
    ///     read `A` in place (not allowed on OpenBLAS with a residual).
    ///   - pool: splits the output panels across its threads (by their measured speed), or `nil`
    ///     to run on the calling thread.
    public static func multiply(_ a: MatrixView, _ b: PackedPanels, into c: MutableMatrixView,
                                epilogue: GEMMEpilogue = .none, scratch: UnsafeMutablePointer<Float>? = nil,
                                pool: ThreadPool? = nil) {
        precondition(a.columns == b.rows && c.rows == a.rows && c.columns == b.columns,
                     "GEMM shape mismatch: A \(a.rows)×\(a.columns), B \(b.rows)×\(b.columns), C \(c.rows)×\(c.columns)")
        precondition(epilogue.residual.map { $0.rows == c.rows && $0.columns == c.columns } ?? true,
                     "GEMM residual shape mismatch")
        guard c.rows > 0, c.columns > 0 else { return }
        if b.precision != .float32 {
            guard let scratch else { preconditionFailure("a \(b.precision) GEMM needs scratch memory") }
            reducedPrecisionGEMM(a, b, into: c, epilogue: epilogue, scratch: scratch, pool: pool)
        } else if b.instructionSet.hasOwnGEMM {
            ownGEMM(a, b, into: c, epilogue: epilogue, scratch: scratch, pool: pool)
        } else {
            openBLASGEMM(a, b, into: c, epilogue: epilogue, scratch: scratch, pool: pool)
        }
    }

    private static func ownGEMM(_ a: MatrixView, _ b: PackedPanels, into c: MutableMatrixView,
                                epilogue: GEMMEpilogue, scratch: UnsafeMutablePointer<Float>?, pool: ThreadPool?) {
        let family = b.instructionSet == .avx512 ? CK_GEMM_AVX512 : CK_GEMM_AVX2
        let m = a.rows, k = a.columns
        var problem = ck_gemm_problem(m: m, n: b.columns, k: k, a: a.base, lda: a.leadingDimension, a_is_packed: 0,
                                      packed_b: b.base, c: c.base, ldc: c.leadingDimension,
                                      epilogue: epilogue.kernelEpilogue, a_block_bytes: CacheSizes.aBlockBytes,
                                      a_scales: nil, a_zero_points: nil, b_scales: nil, b_offsets: nil,
                                      c_packed: nil)
        if let scratch, prefersPackedA(m: m, leadingDimension: a.leadingDimension), k > 0 {
            let height = ck_gemm_strip_height(family)
            let packing = StripPacking(a: a, height: height, destination: scratch)
            let strips = (m + height - 1) / height
            if let pool { pool.parallelFor(strips, minimumChunk: 4, packing) } else { packing.run(0..<strips) }
            problem.a = UnsafePointer(scratch)
            problem.a_is_packed = 1
        }
        let kernel: PanelWork.Kernel = switch (family == CK_GEMM_AVX512, b.storesBFloat16) {
        case (true, false): ck_avx512_gemm
        case (false, false): ck_avx2_gemm
        case (true, true): ck_avx512_gemm_bf16_weights
        case (false, true): ck_avx2_gemm_bf16_weights
        }
        runPanels(PanelWork(problem: problem, panels: b.panelCount, kernel: kernel), pool: pool)
    }

    /// Splits a product's panels over `pool` when it is large enough to pay for waking the workers.
    static func runPanels(_ work: PanelWork, pool: ThreadPool?) {
        let p = work.problem
        if let pool, pool.threadCount > 1, p.m * p.k * p.n >= 1 << 18 {
            pool.runBalanced(work)
        } else {
            work.run(units: 0..<work.units, part: 0)
        }
    }

    /// Panels of one product, split across threads; each thread computes whole panels.
    struct PanelWork: BalancedParallelWork {
        typealias Kernel = @convention(c) (UnsafePointer<ck_gemm_problem>?, Int, Int) -> Void
        var problem: ck_gemm_problem
        let panels: Int
        let kernel: Kernel

        var units: Int { panels }

        func run(units: Range<Int>, part _: Int) {
            guard !units.isEmpty else { return }
            withUnsafePointer(to: problem) { kernel($0, units.lowerBound, units.upperBound) }
        }
    }

    private struct StripPacking: ParallelRangeWork {
        let a: MatrixView
        let height: Int
        let destination: UnsafeMutablePointer<Float>

        func run(_ strips: Range<Int>) {
            ck_pack_a(a.base, a.leadingDimension, a.rows, a.columns, height, strips.lowerBound, strips.upperBound,
                      destination)
        }
    }
}
