import CKernels

/// The row-wise kernels of a transformer forward pass besides the GEMMs: LayerNorm, softmax and
/// a GEMM's epilogue as a separate pass (for OpenBLAS products). Each runs the C kernel compiled
/// for the requested instruction set; all of them give the same bits on every set (lane-wise
/// arithmetic with fused multiply-adds, reductions over 16 partial sums in a fixed order).
public enum Kernels {
    /// `output ← LayerNorm(input)` row by row, `(x − mean) / √(var + ε) · weight + bias` with the
    /// biased variance as `torch.nn.LayerNorm`, by corrected two-pass statistics (rows like 10⁴ ± 1
    /// stay accurate in Float32). Rows are split across `pool`. `input` and `output` may alias.
    public static func layerNorm(_ input: MatrixView, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>,
                                 epsilon: Float, into output: MutableMatrixView,
                                 instructionSet: VectorInstructionSet = .detected, pool: ThreadPool? = nil) {
        precondition(input.rows == output.rows && input.columns == output.columns, "layerNorm shape mismatch")
        let work = LayerNormRows(input: input, weight: weight, bias: bias, epsilon: epsilon, output: output,
                                 instructionSet: instructionSet)
        if let pool {
            pool.parallelFor(input.rows, minimumChunk: max(1, (1 << 15) / max(1, input.columns)), work)
        } else {
            work.run(0..<input.rows)
        }
    }

    private struct LayerNormRows: ParallelRangeWork {
        let input: MatrixView
        let weight: UnsafePointer<Float>
        let bias: UnsafePointer<Float>
        let epsilon: Float
        let output: MutableMatrixView
        let instructionSet: VectorInstructionSet

        func run(_ rows: Range<Int>) {
            for row in rows {
                let source = input.base + row * input.leadingDimension
                let destination = output.base + row * output.leadingDimension
                switch instructionSet {
                case .avx512: ck_avx512_layer_norm_row(source, input.columns, weight, bias, epsilon, destination)
                case .avx2: ck_avx2_layer_norm_row(source, input.columns, weight, bias, epsilon, destination)
                case .baseline: ck_baseline_layer_norm_row(source, input.columns, weight, bias, epsilon, destination)
                }
            }
        }
    }

    /// `values ← softmax(values)` over one contiguous row: `exp(x − max) / Σ exp(x − max)`, NaN
    /// anywhere giving all NaN (as PyTorch); on the calling thread.
    @inline(__always)
    public static func softmaxRow(_ values: UnsafeMutablePointer<Float>, count: Int,
                                  instructionSet: VectorInstructionSet = .detected) {
        softmaxRows(values, rows: 1, count: count, stride: count, instructionSet: instructionSet)
    }

    /// ``softmaxRow(_:count:instructionSet:)`` over `rows` rows of `count` floats, `stride` floats
    /// apart: the same bits for each row, faster than row by row (rows are interleaved in groups so
    /// one row's dependent steps overlap another's); on the calling thread.
    @inline(__always)
    public static func softmaxRows(_ values: UnsafeMutablePointer<Float>, rows: Int, count: Int, stride: Int,
                                   instructionSet: VectorInstructionSet = .detected) {
        switch instructionSet {
        case .avx512: ck_avx512_softmax_rows(values, rows, count, stride)
        case .avx2: ck_avx2_softmax_rows(values, rows, count, stride)
        case .baseline: ck_baseline_softmax_rows(values, rows, count, stride)
        }
    }

    /// `c ← act(α·x + bias) + residual` element by element: a GEMM epilogue as its own pass, on the
    /// calling thread. `x`, `c` and the residual may be the same memory.
    public static func applyEpilogue(_ epilogue: GEMMEpilogue, to x: MatrixView, into c: MutableMatrixView,
                                     instructionSet: VectorInstructionSet = .detected) {
        precondition(x.rows == c.rows && x.columns == c.columns, "epilogue shape mismatch")
        var finish = epilogue.kernelEpilogue
        switch instructionSet {
        case .avx512: ck_avx512_epilogue_rows(x.base, x.leadingDimension, c.base, c.leadingDimension, c.rows, c.columns, &finish)
        case .avx2: ck_avx2_epilogue_rows(x.base, x.leadingDimension, c.base, c.leadingDimension, c.rows, c.columns, &finish)
        case .baseline: ck_baseline_epilogue_rows(x.base, x.leadingDimension, c.base, c.leadingDimension, c.rows, c.columns, &finish)
        }
    }
}
