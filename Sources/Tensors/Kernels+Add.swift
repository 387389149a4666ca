extension Kernels {
    /// `destination += source`, element-wise (a residual connection).
    public static func add(_ source: MatrixView, to destination: MutableMatrixView, pool: ThreadPool? = nil) {
        precondition(source.rows == destination.rows && source.columns == destination.columns,
                     "add shape mismatch")
        (pool ?? ComputeThreads.pool).parallelFor(
            source.rows, minimumChunk: minimumRows(columns: source.columns, elementsPerChunk: 1 << 16),
            AddRows(source: source, destination: destination))
    }
}

private struct AddRows: ParallelRangeWork {
    let source: MatrixView
    let destination: MutableMatrixView
    let instructionSet = VectorInstructionSet.active

    func run(_ rows: Range<Int>) {
        for row in rows {
            let from = source.base + row * source.leadingDimension
            if instructionSet.addRow(destination.base + row * destination.leadingDimension, delta: from,
                                     deltaBias: nil, count: source.columns) {
                continue
            }
            transformInPlace(destination.base + row * destination.leadingDimension,
                             count: source.columns) { x, index, lanes in
                x + loadLanes(from, at: index, lanes: lanes)
            }
        }
    }
}
