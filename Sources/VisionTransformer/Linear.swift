import Tensors

/// A fully connected layer, `y = x·Wᵀ + b`: the `[out, in]` weight packed once at load for our
/// GEMM kernels (``PackedMatrix``), and the bias.
public struct Linear: Sendable {
    /// The packed weight.
    public let weight: PackedMatrix
    /// `[outputFeatures]`, or `nil` for a layer without bias.
    public let bias: Tensor?

    /// The width of an input row.
    public var inputFeatures: Int { weight.inputs }
    /// The width of an output row.
    public var outputFeatures: Int { weight.outputs }

    /// Binds `weight` (and `bias` when `hasBias`) under `binder`'s scope and packs the weight, in
    /// `precision` (default: Float32).
    public init(_ binder: WeightBinder, inputFeatures: Int, outputFeatures: Int, hasBias: Bool = true,
                precision: ComputePrecision = .float32) {
        self.init(packing: [binder.tensorToPack("weight", shape: [outputFeatures, inputFeatures])],
                  bias: hasBias ? binder.tensor("bias", shape: [outputFeatures]) : nil, binder: binder,
                  precision: precision)
        binder.release("weight")
    }

    /// A layer from unpacked `[out, in]` weights (packed here, stacked when there are several:
    /// layers that read the same input, computed by one GEMM) and its bias.
    init(packing weights: [Tensor], bias: Tensor?, binder: WeightBinder, precision: ComputePrecision = .float32) {
        // The views below point into the tensors' storage (for F16/BF16 checkpoints and bfloat16
        // rounding, a converted copy): keep them alive until packing is done.
        // Weights rounded to bfloat16 are kept as bfloat16 (half the memory, the same Float32 products)
        // wherever our kernels run.
        let halfStorage = binder.precision == .bfloat16 && precision == .float32 && binder.instructionSet.hasOwnGEMM
        weight = withExtendedLifetime(weights) {
            PackedMatrix(stacking: weights.map(\.matrix), instructionSet: binder.instructionSet, precision: precision,
                         storesBFloat16: halfStorage, pool: binder.pool)
        }
        self.bias = bias
    }

    /// `output ← act(input·Wᵀ + b) + residual`: with `addingTo`, the result is added onto that
    /// matrix (the residual stream) and written back into it.
    func callAsFunction(_ input: MatrixView, into output: MutableMatrixView, activation: Activation? = nil,
                        _ compute: ComputeContext) {
        MatrixMultiply.multiply(input, weight.panels, into: output,
                                epilogue: GEMMEpilogue(bias: bias?.pointer, activation: activation),
                                scratch: compute.gemmScratch, pool: compute.pool)
    }

    /// `residual ← residual + (input·Wᵀ + b)`: the projection that ends a residual branch, with the
    /// addition done in the GEMM's output stage.
    func callAsFunction(_ input: MatrixView, addingTo residual: MutableMatrixView, _ compute: ComputeContext) {
        MatrixMultiply.multiply(input, weight.panels, into: residual,
                                epilogue: GEMMEpilogue(bias: bias?.pointer, residual: residual.readOnly),
                                scratch: compute.gemmScratch, pool: compute.pool)
    }

    /// `output ← input·Wᵀ + b` over rows packed by the step before (a bfloat16 layer).
    func callAsFunction(_ input: PackedRows, into output: MutableMatrixView, _ compute: ComputeContext) {
        MatrixMultiply.multiply(input, weight.panels, into: output, epilogue: GEMMEpilogue(bias: bias?.pointer),
                                pool: compute.pool)
    }

    /// `output ← act(input·Wᵀ + b)`, packed for the bfloat16 layer after this one.
    func callAsFunction(_ input: PackedRows, intoPacked output: PackedRows, activation: Activation? = nil,
                        _ compute: ComputeContext) {
        MatrixMultiply.multiply(input, weight.panels, intoPacked: output,
                                epilogue: GEMMEpilogue(bias: bias?.pointer, activation: activation), pool: compute.pool)
    }

    /// `residual ← residual + (input·Wᵀ + b)` over packed rows.
    func callAsFunction(_ input: PackedRows, addingTo residual: MutableMatrixView, _ compute: ComputeContext) {
        MatrixMultiply.multiply(input, weight.panels, into: residual,
                                epilogue: GEMMEpilogue(bias: bias?.pointer, residual: residual.readOnly),
                                pool: compute.pool)
    }
}
