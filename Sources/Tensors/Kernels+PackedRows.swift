import CKernels

extension Kernels {
    /// `output ← LayerNorm(input)` stored as packed rows (bfloat16 pairs in strips) for the bfloat16
    /// product that reads it: the same words as normalising into Float32 and packing those, without
    /// the Float32 rows' trip through memory. Strips split across `pool`.
    public static func layerNorm(_ input: MatrixView, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>,
                                 epsilon: Float, into output: PackedRows, pool: ThreadPool? = nil) {
        precondition(input.rows == output.rows && input.columns == output.columns, "layerNorm shape mismatch")
        let work = PackedLayerNormStrips(input: input, weight: weight, bias: bias, epsilon: epsilon, output: output)
        let height = PackedRows.stripHeight(output.instructionSet)
        if let pool {
            pool.parallelFor(output.strips, minimumChunk: max(1, (1 << 15) / max(1, input.columns * height)), work)
        } else {
            work.run(0..<output.strips)
        }
    }

    private struct PackedLayerNormStrips: ParallelRangeWork {
        let input: MatrixView
        let weight: UnsafePointer<Float>
        let bias: UnsafePointer<Float>
        let epsilon: Float
        let output: PackedRows

        func run(_ strips: Range<Int>) {
            let height = PackedRows.stripHeight(output.instructionSet)
            for strip in strips {
                let first = strip * height, count = min(height, input.rows - first)
                let source = input.base + first * input.leadingDimension, words = output.firstWord(ofRow: first)
                if output.instructionSet == .avx512 {
                    ck_avx512_layer_norm_strip_bf16(source, input.leadingDimension, count, input.columns, weight, bias,
                                                    epsilon, words, height)
                } else {
                    ck_avx2_layer_norm_strip_bf16(source, input.leadingDimension, count, input.columns, weight, bias,
                                                  epsilon, words, height)
                }
            }
        }
    }
}

extension Kernels {
    /// ``softmaxRows(_:rows:count:stride:instructionSet:)`` over `probabilities.rows` rows of
    /// `probabilities.columns` floats at `values` (`stride` apart), stored as packed rows for a
    /// bfloat16 product (attention's `P·V`) instead of back into `values`: the words packing the
    /// softmax's output would give. On the calling thread.
    public static func softmaxRows(_ values: UnsafeMutablePointer<Float>, stride: Int, into probabilities: PackedRows) {
        let height = PackedRows.stripHeight(probabilities.instructionSet)
        for strip in 0..<probabilities.strips {
            let first = strip * height, rows = min(height, probabilities.rows - first)
            let source = values + first * stride, words = probabilities.firstWord(ofRow: first)
            if probabilities.instructionSet == .avx512 {
                ck_avx512_softmax_strip_bf16(source, rows, probabilities.columns, stride, words, height)
            } else {
                ck_avx2_softmax_strip_bf16(source, rows, probabilities.columns, stride, words, height)
            }
        }
    }
}
