extension Kernels {
    /// Layer normalisation of each row: `y = (x − mean) / √(var + ε) · weight + bias`, with the
    /// biased variance, as `torch.nn.LayerNorm` computes it.
    ///
    /// Mean and variance are computed in two passes over the row (not the one-pass
    /// `E[x²] − E[x]²`), and the second pass also corrects the mean by the sum of the
    /// centred values (the "corrected two-pass" algorithm), so rows whose mean is large
    /// against their spread (10⁴ ± 1) stay accurate in Float32. `input` and `output`
    /// may be the same memory.
    public static func layerNorm(_ input: MatrixView, weight: UnsafePointer<Float>,
                                 bias: UnsafePointer<Float>, epsilon: Float,
                                 into output: MutableMatrixView, pool: ThreadPool? = nil) {
        precondition(input.rows == output.rows && input.columns == output.columns,
                     "layerNorm shape mismatch")
        (pool ?? ComputeThreads.pool).parallelFor(
            input.rows, minimumChunk: minimumRows(columns: input.columns, elementsPerChunk: 1 << 15),
            LayerNormRows(input: input, weight: weight, bias: bias, epsilon: epsilon, output: output))
    }

    private struct LayerNormRows: ParallelRangeWork {
        let input: MatrixView
        let weight: UnsafePointer<Float>
        let bias: UnsafePointer<Float>
        let epsilon: Float
        let output: MutableMatrixView
        let instructionSet = VectorInstructionSet.active

        func run(_ rows: Range<Int>) {
            for row in rows {
                normalizeRow(input.base + row * input.leadingDimension, columns: input.columns,
                             weight: weight, bias: bias, epsilon: epsilon,
                             into: output.base + row * output.leadingDimension, instructionSet: instructionSet)
            }
        }
    }

    /// The fused residual step of a pre-norm transformer block:
    /// `residual += delta + deltaBias` (each optional), then `output = layerNorm(residual)`.
    ///
    /// One pass over the rows instead of two: the residual row is still in cache when it is
    /// normalised. Pass `delta: nil` when a GEMM has already accumulated into `residual`
    /// (β = 1) and only its bias remains to be added.
    public static func addAndLayerNorm(residual: MutableMatrixView, adding delta: MatrixView? = nil,
                                       deltaBias: UnsafePointer<Float>? = nil,
                                       weight: UnsafePointer<Float>, bias: UnsafePointer<Float>,
                                       epsilon: Float, into output: MutableMatrixView,
                                       pool: ThreadPool? = nil) {
        precondition(residual.rows == output.rows && residual.columns == output.columns
                     && (delta.map { $0.rows == residual.rows && $0.columns == residual.columns } ?? true),
                     "addAndLayerNorm shape mismatch")
        (pool ?? ComputeThreads.pool).parallelFor(
            residual.rows, minimumChunk: minimumRows(columns: residual.columns, elementsPerChunk: 1 << 15),
            AddAndLayerNormRows(residual: residual, delta: delta, deltaBias: deltaBias, weight: weight,
                                bias: bias, epsilon: epsilon, output: output))
    }

    private struct AddAndLayerNormRows: ParallelRangeWork {
        let residual: MutableMatrixView
        let delta: MatrixView?
        let deltaBias: UnsafePointer<Float>?
        let weight: UnsafePointer<Float>
        let bias: UnsafePointer<Float>
        let epsilon: Float
        let output: MutableMatrixView
        let instructionSet = VectorInstructionSet.active

        func run(_ rows: Range<Int>) {
            let columns = residual.columns
            for row in rows {
                let values = residual.base + row * residual.leadingDimension
                let deltaRow = delta.map { $0.base + row * $0.leadingDimension }
                let deltaBias = self.deltaBias
                if delta != nil || deltaBias != nil,
                   !instructionSet.addRow(values, delta: deltaRow.map { UnsafePointer($0) }, deltaBias: deltaBias,
                                          count: columns) {
                    transformInPlace(values, count: columns) { x, index, lanes in
                        var sum = x
                        if let deltaRow { sum += loadLanes(deltaRow, at: index, lanes: lanes) }
                        if let deltaBias { sum += loadLanes(deltaBias, at: index, lanes: lanes) }
                        return sum
                    }
                }
                normalizeRow(UnsafePointer(values), columns: columns, weight: weight, bias: bias,
                             epsilon: epsilon, into: output.base + row * output.leadingDimension,
                             instructionSet: instructionSet)
            }
        }
    }

    @inline(__always)
    fileprivate static func normalizeRow(_ row: UnsafePointer<Float>, columns: Int,
                                     weight: UnsafePointer<Float>, bias: UnsafePointer<Float>,
                                     epsilon: Float, into output: UnsafeMutablePointer<Float>,
                                     instructionSet: VectorInstructionSet) {
        if instructionSet.layerNormRow(row, count: columns, weight: weight, bias: bias, epsilon: epsilon,
                                       into: output) {
            return
        }
        let width = FloatVector.scalarCount
        let fullEnd = columns - columns % width
        let tail = columns - fullEnd
        // Pass 1: the mean.
        var sums = FloatVector()
        var index = 0
        while index < fullEnd {
            sums += loadVector(row + index)
            index += width
        }
        if tail > 0 { sums += loadPartial(row + fullEnd, count: tail) }
        let roughMean = sums.sum() / Float(columns)
        // Pass 2: squares and sum of the values centred on that mean (padding lanes masked).
        // The centred sum is the rounding error of the first pass: it corrects both the mean
        // and the variance, Σ(x − m)² − (Σ(x − m))² / n.
        var squares = FloatVector()
        var residuals = FloatVector()
        index = 0
        while index < fullEnd {
            let centered = loadVector(row + index) - roughMean
            squares += centered * centered
            residuals += centered
            index += width
        }
        if tail > 0 {
            var centered = loadPartial(row + fullEnd, count: tail) - roughMean
            for lane in tail..<width { centered[lane] = 0 }
            squares += centered * centered
            residuals += centered
        }
        let residual = residuals.sum()
        let mean = roughMean + residual / Float(columns)
        let variance = max(0, (squares.sum() - residual * residual / Float(columns)) / Float(columns))
        let inverseDeviation = 1 / (variance + epsilon).squareRoot()
        // Pass 3: normalise, scale and shift.
        index = 0
        while index < fullEnd {
            let normalized = (loadVector(row + index) - mean) * inverseDeviation
            storeVector(normalized * loadVector(weight + index) + loadVector(bias + index), to: output + index)
            index += width
        }
        if tail > 0 {
            let normalized = (loadPartial(row + fullEnd, count: tail) - mean) * inverseDeviation
            let result = normalized * loadPartial(weight + fullEnd, count: tail)
                + loadPartial(bias + fullEnd, count: tail)
            storePartial(result, to: output + fullEnd, count: tail)
        }
    }
}
