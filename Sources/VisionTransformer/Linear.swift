import Tensors

/// A fully connected layer, `y = x·Wᵀ + b`, with PyTorch's `[out, in]` weight layout used in
/// place (the GEMM reads it transposed, so memory-mapped weights are never copied).
public struct Linear: Sendable {
    /// `[outputFeatures, inputFeatures]`.
    public let weight: Tensor
    /// `[outputFeatures]`, or `nil` for a layer without bias.
    public let bias: Tensor?

    /// The width of an input row.
    public var inputFeatures: Int { weight.shape[1] }
    /// The width of an output row.
    public var outputFeatures: Int { weight.shape[0] }

    /// Binds `weight` (and `bias` when `hasBias`) under `binder`'s scope.
    public init(_ binder: WeightBinder, inputFeatures: Int, outputFeatures: Int, hasBias: Bool = true) {
        weight = binder.tensor("weight", shape: [outputFeatures, inputFeatures])
        bias = hasBias ? binder.tensor("bias", shape: [outputFeatures]) : nil
    }

    /// The weight as a matrix view.
    var weightMatrix: MatrixView { weight.matrix }

    /// `output ← input·Wᵀ + β·output`; the bias is *not* added, so callers can fuse it into
    /// the pass that follows (activation, residual + LayerNorm) or pre-fill it with β = 1.
    func multiply(_ input: MatrixView, into output: MutableMatrixView, accumulate: Bool) {
        MatrixMultiply.gemm(input, weightMatrix, into: output, transposeB: true, beta: accumulate ? 1 : 0)
    }

    /// Writes the bias into every row of `output` (zeros without a bias), ready for an
    /// accumulating ``multiply(_:into:accumulate:)``.
    func fillWithBias(_ output: MutableMatrixView) {
        for row in 0..<output.rows {
            let destination = output.base + row * output.leadingDimension
            if let bias {
                destination.update(from: bias.pointer, count: output.columns)
            } else {
                destination.update(repeating: 0, count: output.columns)
            }
        }
    }
}
