import CBLAS

/// Matrix multiplication, `C ← α·op(A)·op(B) + β·C`, through OpenBLAS's `cblas_sgemm`.
public enum MatrixMultiply {
    /// Whether an operand is used as stored or transposed.
    enum Operand {
        case normal
        case transposed

        var cblas: CBLAS_TRANSPOSE { self == .normal ? CblasNoTrans : CblasTrans }
    }

    /// Computes `C ← alpha · op(A) · op(B) + beta · C`, where `op(X)` is `Xᵀ` when the matching
    /// `transpose` flag is set and `X` otherwise.
    ///
    /// With `beta = 0` the old contents of `C` are ignored (overwrite, even if they are NaN);
    /// with `beta = 1` the product is accumulated onto `C`. Under
    /// ``GEMMParallelism/threadPool`` the output columns are split across the pool's threads.
    ///
    /// - Precondition: the shapes agree: `op(A)` is `m × k`, `op(B)` is `k × n`, `C` is `m × n`.
    public static func gemm(_ a: MatrixView, _ b: MatrixView, into c: MutableMatrixView,
                            transposeA: Bool = false, transposeB: Bool = false,
                            alpha: Float = 1, beta: Float = 0, pool: ThreadPool? = nil) {
        let opA: Operand = transposeA ? .transposed : .normal
        let opB: Operand = transposeB ? .transposed : .normal
        let (m, n, k) = checkedDimensions(a, opA, b, opB, c)
        guard m > 0, n > 0 else { return }
        let pool = pool ?? ComputeThreads.pool
        let work = ColumnSplitGEMM(a: a, opA: opA, b: b, opB: opB, c: c, m: m, n: n, k: k,
                                   alpha: alpha, beta: beta)
        let split = ComputeThreads.gemmParallelism == .threadPool && pool.threadCount > 1
            && work.units >= 2 * work.minimumUnitsPerPart
        guard split else {
            sgemm(a, opA, b, opB, c, m: m, n: n, k: k, columnOffset: 0, alpha: alpha, beta: beta)
            return
        }
        pool.runBalanced(work)
    }

    /// The fewest multiply-adds one thread's part of a split GEMM may have (`m·k` times its
    /// columns). Below it a part costs more in packing and waking a thread than it saves. It
    /// also keeps results independent of the split: OpenBLAS (0.3.21 on AVX-512) sends calls
    /// under 10⁶ multiply-adds to small-matrix kernels, and plain row-major `A·B` calls with
    /// α = 1, β = 0 that it judges small to a "direct" kernel, both summing in another order
    /// than its blocked path. 2²⁰ clears the first; 2²³ is a conservative margin for the second
    /// (a split at any ratio is checked bit-identical to the unsplit product in
    /// `BalancedRegionTests`), so the speed-balanced split never changes a result.
    static func minimumMultiplyAddsPerPart(opA: Operand, opB: Operand, alpha: Float, beta: Float) -> Int {
        opA == .normal && opB == .normal && alpha == 1 && beta == 0 ? 1 << 23 : 1 << 20
    }

    /// One GEMM split by output columns, one block of columns per thread, sized to each
    /// thread's measured speed. The split is on multiples of 16 columns so every part's
    /// kernels stay on full vectors.
    private struct ColumnSplitGEMM: BalancedParallelWork {
        let a: MatrixView, opA: Operand, b: MatrixView, opB: Operand, c: MutableMatrixView
        let m: Int, n: Int, k: Int, alpha: Float, beta: Float

        var units: Int { (n + 15) / 16 }

        var minimumUnitsPerPart: Int {
            let perUnit = max(1, m * k * 16)
            let minimum = MatrixMultiply.minimumMultiplyAddsPerPart(opA: opA, opB: opB, alpha: alpha, beta: beta)
            return (minimum + perUnit - 1) / perUnit
        }

        func run(units: Range<Int>, part _: Int) {
            let start = units.lowerBound * 16, end = min(n, units.upperBound * 16)
            guard start < end else { return }
            sgemm(a, opA, b, opB, c, m: m, n: end - start, k: k, columnOffset: start,
                  alpha: alpha, beta: beta)
        }
    }

    /// `(m, n, k)` of `op(A)·op(B)` into `C`, checking that the shapes agree.
    static func checkedDimensions(_ a: MatrixView, _ opA: Operand, _ b: MatrixView, _ opB: Operand,
                                  _ c: MutableMatrixView) -> (m: Int, n: Int, k: Int) {
        let m = opA == .normal ? a.rows : a.columns
        let k = opA == .normal ? a.columns : a.rows
        let kB = opB == .normal ? b.rows : b.columns
        let n = opB == .normal ? b.columns : b.rows
        precondition(k == kB && c.rows == m && c.columns == n,
                     "GEMM shape mismatch: op(A) \(m)×\(k), op(B) \(kB)×\(n), C \(c.rows)×\(c.columns)")
        return (m, n, k)
    }

    /// One `cblas_sgemm` call on the column block `columnOffset ..< columnOffset + n` of `C`.
    @inline(__always)
    static func sgemm(_ a: MatrixView, _ opA: Operand, _ b: MatrixView, _ opB: Operand,
                              _ c: MutableMatrixView, m: Int, n: Int, k: Int, columnOffset: Int,
                              alpha: Float, beta: Float) {
        // Column j of op(B) is column j of B (normal) or row j of B (transposed).
        let bBase = opB == .normal ? b.base + columnOffset : b.base + columnOffset * b.leadingDimension
        if k == 0 {
            // BLAS leaves C untouched for k = 0 only when beta = 1; make beta = 0 overwrite too.
            for row in 0..<m {
                let out = c.base + row * c.leadingDimension + columnOffset
                for column in 0..<n { out[column] = beta == 0 ? 0 : beta * out[column] }
            }
            return
        }
        cblas_sgemm(CblasRowMajor, opA.cblas, opB.cblas, Int32(m), Int32(n), Int32(k), alpha,
                    a.base, Int32(a.leadingDimension), bBase, Int32(b.leadingDimension), beta,
                    c.base + columnOffset, Int32(c.leadingDimension))
    }
}
