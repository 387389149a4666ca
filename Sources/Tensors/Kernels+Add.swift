extension Kernels {
    /// `destination += source`, element-wise (a residual connection).
    public static func add(_ source: MatrixView, to destination: MutableMatrixView, pool: ThreadPool? = nil) {
        precondition(source.rows == destination.rows && source.columns == destination.columns,
                     "add shape mismatch")
        let columns = source.columns
        (pool ?? ComputeThreads.pool).parallelFor(
            source.rows, minimumChunk: minimumRows(columns: columns, elementsPerChunk: 1 << 16)
        ) { rows in
            for row in rows {
                let from = source.base + row * source.leadingDimension
                transformInPlace(destination.base + row * destination.leadingDimension,
                                 count: columns) { x, index, lanes in
                    x + loadLanes(from, at: index, lanes: lanes)
                }
            }
        }
    }
}
