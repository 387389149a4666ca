import CKernels

extension Kernels {
    /// Applies `activation` to every element of `matrix` in place, first adding `bias` (one value
    /// per column) when given: the fused epilogue of an MLP's first linear layer.
    public static func applyActivation(_ activation: Activation, to matrix: MutableMatrixView,
                                       addingBias bias: UnsafePointer<Float>? = nil,
                                       pool: ThreadPool? = nil) {
        switch activation {
        case .gelu: apply(GELU.self, matrix, bias, pool)
        case .geluTanh: apply(GELUTanh.self, matrix, bias, pool)
        case .relu: apply(ReLU.self, matrix, bias, pool)
        case .silu: apply(SiLU.self, matrix, bias, pool)
        case .quickGelu: apply(QuickGELU.self, matrix, bias, pool)
        }
    }

    /// Adds `bias` (one value per column) to every row of `matrix`.
    public static func addBias(_ bias: UnsafePointer<Float>, to matrix: MutableMatrixView,
                               pool: ThreadPool? = nil) {
        apply(Identity.self, matrix, bias, pool)
    }

    /// One loop per activation, specialised at compile time so the per-vector call inlines.
    @inline(__always)
    private static func apply<F: VectorFunction>(_: F.Type, _ matrix: MutableMatrixView,
                                                 _ bias: UnsafePointer<Float>?, _ pool: ThreadPool?) {
        let rowsPerChunk = minimumRows(columns: matrix.columns, elementsPerChunk: F.elementsPerChunk)
        (pool ?? ComputeThreads.pool).parallelFor(matrix.rows, minimumChunk: rowsPerChunk,
                                                  ActivationRows<F>(matrix: matrix, bias: bias))
    }
}

/// The rows of one activation pass (a value type, so the pool can run it without allocating).
private struct ActivationRows<F: VectorFunction>: ParallelRangeWork {
    let matrix: MutableMatrixView
    let bias: UnsafePointer<Float>?
    /// Read once per pass, so every chunk of it uses the same arithmetic.
    let instructionSet = VectorInstructionSet.active

    func run(_ rows: Range<Int>) {
        let columns = matrix.columns
        if !rows.isEmpty,
           instructionSet.activationRows(F.vectorKernel, first: matrix.base + rows.lowerBound * matrix.leadingDimension,
                                         rows: rows.count, columns: columns,
                                         leadingDimension: matrix.leadingDimension, bias: bias) {
            return
        }
        for row in rows {
            let values = matrix.base + row * matrix.leadingDimension
            if let bias {
                transformInPlace(values, count: columns) { x, index, lanes in
                    F.apply(x + loadLanes(bias, at: index, lanes: lanes))
                }
            } else {
                transformInPlace(values, count: columns) { x, _, _ in F.apply(x) }
            }
        }
    }
}

/// An element-wise function on vectors, for the specialised kernel loops.
protocol VectorFunction {
    static func apply(_ x: FloatVector) -> FloatVector
    /// Roughly how many elements make a parallel chunk worth waking a thread for.
    static var elementsPerChunk: Int { get }
    /// The same function in the C kernels.
    static var vectorKernel: svk_activation { get }
}

private enum Identity: VectorFunction {
    static let vectorKernel = SVK_ACTIVATION_IDENTITY
    static let elementsPerChunk = 1 << 16
    @inline(__always) static func apply(_ x: FloatVector) -> FloatVector { x }
}

/// `0.5 · x · (1 + erf(x / √2))`.
private enum GELU: VectorFunction {
    static let vectorKernel = SVK_ACTIVATION_GELU
    static let elementsPerChunk = 1 << 13
    @inline(__always) static func apply(_ x: FloatVector) -> FloatVector {
        0.5 * x * (1 + VectorMath.erf(x * 0.70710678118654752))
    }
}

/// `0.5 · x · (1 + tanh(√(2/π) · (x + 0.044715 · x³)))`.
private enum GELUTanh: VectorFunction {
    static let vectorKernel = SVK_ACTIVATION_GELU_TANH
    static let elementsPerChunk = 1 << 13
    @inline(__always) static func apply(_ x: FloatVector) -> FloatVector {
        0.5 * x * (1 + VectorMath.tanh(0.79788456080286536 * (x + 0.044715 * x * x * x)))
    }
}

/// `max(x, 0)`, keeping NaN (as PyTorch's `relu` does).
private enum ReLU: VectorFunction {
    static let vectorKernel = SVK_ACTIVATION_RELU
    static let elementsPerChunk = 1 << 16
    @inline(__always) static func apply(_ x: FloatVector) -> FloatVector {
        x.replacing(with: 0, where: x .< 0)
    }
}

/// `x · sigmoid(x)`.
private enum SiLU: VectorFunction {
    static let vectorKernel = SVK_ACTIVATION_SILU
    static let elementsPerChunk = 1 << 13
    @inline(__always) static func apply(_ x: FloatVector) -> FloatVector { x * VectorMath.sigmoid(x) }
}

/// `x · sigmoid(1.702 · x)`.
private enum QuickGELU: VectorFunction {
    static let vectorKernel = SVK_ACTIVATION_QUICK_GELU
    static let elementsPerChunk = 1 << 13
    @inline(__always) static func apply(_ x: FloatVector) -> FloatVector {
        x * VectorMath.sigmoid(1.702 * x)
    }
}
