extension Kernels {
    /// Replaces each row of `matrix` by its softmax, `exp(x − max) / Σ exp(x − max)`.
    ///
    /// Subtracting the row maximum keeps every exponent ≤ 0, so no row overflows however large
    /// its values. A row containing NaN becomes all NaN; a row of −∞ (fully masked) becomes NaN
    /// as in PyTorch; so does a row containing +∞ (∞ − ∞ is NaN), again as PyTorch.
    public static func softmaxRows(_ matrix: MutableMatrixView, pool: ThreadPool? = nil) {
        (pool ?? ComputeThreads.pool).parallelFor(
            matrix.rows, minimumChunk: minimumRows(columns: matrix.columns, elementsPerChunk: 1 << 13),
            SoftmaxRows(matrix: matrix))
    }

    private struct SoftmaxRows: ParallelRangeWork {
        let matrix: MutableMatrixView
        func run(_ rows: Range<Int>) {
            for row in rows { softmaxRow(matrix.base + row * matrix.leadingDimension, count: matrix.columns) }
        }
    }

    /// Softmax of one contiguous row, in place. Runs on the calling thread (attention calls it
    /// from inside its own parallel loop over heads).
    @inline(__always)
    public static func softmaxRow(_ values: UnsafeMutablePointer<Float>, count: Int) {
        guard count > 0, !VectorInstructionSet.active.softmaxRow(values, count: count) else { return }
        let width = FloatVector.scalarCount
        let fullEnd = count - count % width
        // The maximum; NaN must win so that it propagates, which `max` on vectors would not do.
        var maxima = FloatVector(repeating: -.infinity)
        var sawNaN = false
        var index = 0
        while index < fullEnd {
            let x = loadVector(values + index)
            maxima.replace(with: x, where: x .> maxima)
            sawNaN = sawNaN || any(x .!= x)
            index += width
        }
        var rowMax = maxima.max()
        for tailIndex in fullEnd..<count {
            let x = values[tailIndex]
            if x > rowMax { rowMax = x }
            if x.isNaN { sawNaN = true }
        }
        if sawNaN { rowMax = .nan }
        // exp(x − max), summed.
        var sums = FloatVector()
        transformInPlace(values, count: count) { x, _, lanes in
            var e = VectorMath.exp(x - rowMax)
            if lanes < width { for lane in lanes..<width { e[lane] = 0 } }
            sums += e
            return e
        }
        let scale = 1 / sums.sum()
        transformInPlace(values, count: count) { x, _, _ in x * scale }
    }
}
