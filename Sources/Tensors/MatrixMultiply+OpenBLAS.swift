import CBLAS
import CKernels
import Foundation

extension MatrixMultiply {
    /// `C ← α·op(A)·op(B) + β·C` by OpenBLAS's `cblas_sgemm`, on the calling thread: the reference
    /// our kernels are tested against. `op(X)` is `Xᵀ` when the matching flag is set. With `β = 0`
    /// the old contents of `C` are ignored (even NaN); `k = 0` gives `β·C`.
    public static func openBLAS(_ a: MatrixView, _ b: MatrixView, into c: MutableMatrixView,
                                transposeA: Bool = false, transposeB: Bool = false, alpha: Float = 1, beta: Float = 0) {
        let m = transposeA ? a.columns : a.rows, k = transposeA ? a.rows : a.columns
        let kB = transposeB ? b.columns : b.rows, n = transposeB ? b.rows : b.columns
        precondition(k == kB && c.rows == m && c.columns == n,
                     "GEMM shape mismatch: op(A) \(m)×\(k), op(B) \(kB)×\(n), C \(c.rows)×\(c.columns)")
        guard m > 0, n > 0 else { return }
        OpenBLASRuntime.configure()
        if k == 0 {
            // BLAS leaves C untouched for k = 0 only when β = 1; make β = 0 overwrite too.
            for row in 0..<m {
                let out = c.base + row * c.leadingDimension
                for column in 0..<n { out[column] = beta == 0 ? 0 : beta * out[column] }
            }
            return
        }
        cblas_sgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a.base, Int32(a.leadingDimension), b.base,
                    Int32(b.leadingDimension), beta, c.base, Int32(c.leadingDimension))
    }

    /// The baseline path: OpenBLAS computes `A·B` (into `scratch` when the epilogue adds a
    /// residual, which may be `C` itself), then one pass applies the epilogue.
    ///
    /// OpenBLAS's bits depend on how a product is split (measured: its Haswell kernels change
    /// thousands of a 197×768×768 product's outputs when its columns are split at a different
    /// point), so the columns are split equally by thread count — never by measured speed — so
    /// that the same command gives the same bytes on every run.
    static func openBLASGEMM(_ a: MatrixView, _ b: PackedPanels, into c: MutableMatrixView, epilogue: GEMMEpilogue,
                             scratch: UnsafeMutablePointer<Float>?, pool: ThreadPool?) {
        var product = c
        if epilogue.residual != nil {
            guard let scratch else { preconditionFailure("an OpenBLAS GEMM with a residual needs scratch memory") }
            product = MutableMatrixView(scratch, rows: c.rows, columns: c.columns)
        }
        let work = OpenBLASColumns(a: a, b: b, product: product, c: c, epilogue: epilogue)
        if let pool, pool.threadCount > 1, a.rows * a.columns * b.columns >= 1 << 21 {
            pool.run(work)
        } else {
            work.run(part: 0, of: 1)
        }
    }

    /// Each thread's equal share of the columns (in 16-column blocks), multiplied and finished.
    private struct OpenBLASColumns: ParallelWork {
        let a: MatrixView, b: PackedPanels, product: MutableMatrixView, c: MutableMatrixView
        let epilogue: GEMMEpilogue

        func run(part: Int, of parts: Int) {
            let blocks = ThreadPool.chunk(part, of: parts, splitting: (c.columns + 15) / 16)
            let start = blocks.lowerBound * 16, end = min(c.columns, blocks.upperBound * 16)
            guard start < end else { return }
            let weights = MatrixView(b.base + start * b.rows, rows: end - start, columns: b.rows)
            let out = MutableMatrixView(product.base + start, rows: c.rows, columns: end - start,
                                        leadingDimension: product.leadingDimension)
            MatrixMultiply.openBLAS(a, weights, into: out, transposeB: true)
            var finish = epilogue.kernelEpilogue
            finish.bias = epilogue.bias.map { $0 + start }
            finish.residual = epilogue.residual.map { $0.base + start }
            ck_baseline_epilogue_rows(out.base, out.leadingDimension, c.base + start, c.leadingDimension, c.rows,
                                      end - start, &finish)
        }
    }
}

/// Cache sizes the GEMM blocking uses, read once from the C library (which asks CPUID).
enum CacheSizes {
    /// Bytes of A a GEMM takes as one block while every panel of B passes over it: half the L2
    /// cache, but at least 1 MB. Our panels span the whole of K, so a smaller block leaves too few
    /// rows to amortise each panel's trip from L3 when K is large (a 3072-deep AVX2 panel is
    /// 196 KB); A streams from L3 well. Measured in Documentation/Performance.md.
    static let aBlockBytes: Int = {
        let l2 = sysconf(Int32(_SC_LEVEL2_CACHE_SIZE))
        return max(l2 > 0 ? l2 / 2 : 0, 1 << 20)
    }()
}
