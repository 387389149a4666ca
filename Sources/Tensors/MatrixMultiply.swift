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
    /// `k × n` product on `instructionSet` (packed A for long rows; the product before its
    /// epilogue on OpenBLAS).
    public static func scratchCount(m: Int, n: Int, k: Int, instructionSet: VectorInstructionSet) -> Int {
        switch instructionSet {
        case .baseline: m * n
        case .avx2: prefersPackedA(k: k) ? ck_packed_a_count(m, k, ck_gemm_strip_height(CK_GEMM_AVX2)) : 0
        case .avx512: prefersPackedA(k: k) ? ck_packed_a_count(m, k, ck_gemm_strip_height(CK_GEMM_AVX512)) : 0
        }
    }

    /// Whether `A` is packed into strips before the product rather than read in place. Measured
    /// (single thread, Zen 4): in place is as fast for K = 768 (no copy), but rows of 3072 floats
    /// (12 KB, a multiple of 4 KB) make a tile's rows collide in the same L1 sets and ran at
    /// 57–73 % of peak against 85–87 % packed.
    static func prefersPackedA(k: Int) -> Bool { k >= 2048 }

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
        if b.instructionSet.hasOwnGEMM {
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
                                      epilogue: epilogue.kernelEpilogue, a_block_bytes: CacheSizes.aBlockBytes)
        if let scratch, prefersPackedA(k: k), k > 0 {
            let height = ck_gemm_strip_height(family)
            let packing = StripPacking(a: a, height: height, destination: scratch)
            let strips = (m + height - 1) / height
            if let pool { pool.parallelFor(strips, minimumChunk: 4, packing) } else { packing.run(0..<strips) }
            problem.a = UnsafePointer(scratch)
            problem.a_is_packed = 1
        }
        let work = PanelWork(problem: problem, panels: b.panelCount, isAVX512: family == CK_GEMM_AVX512)
        if let pool, pool.threadCount > 1, m * k * b.columns >= 1 << 18 {
            pool.runBalanced(work)
        } else {
            work.run(units: 0..<work.units, part: 0)
        }
    }

    /// Panels of one product, split across threads; each thread computes whole panels.
    private struct PanelWork: BalancedParallelWork {
        var problem: ck_gemm_problem
        let panels: Int
        let isAVX512: Bool

        var units: Int { panels }

        func run(units: Range<Int>, part _: Int) {
            guard !units.isEmpty else { return }
            withUnsafePointer(to: problem) { problem in
                if isAVX512 {
                    ck_avx512_gemm(problem, units.lowerBound, units.upperBound)
                } else {
                    ck_avx2_gemm(problem, units.lowerBound, units.upperBound)
                }
            }
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
