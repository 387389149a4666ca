import Tensors

/// The parameters of a `torch.nn.LayerNorm` over the last dimension.
public struct LayerNormalization: Sendable {
    /// The scale, `[features]`.
    public let weight: Tensor
    /// The shift, `[features]`.
    public let bias: Tensor
    /// Added to the variance before the square root (`layer_norm_eps`).
    public let epsilon: Float

    /// Binds `weight` and `bias` under `binder`'s scope.
    public init(_ binder: WeightBinder, features: Int, epsilon: Double) {
        weight = binder.tensor("weight", shape: [features])
        bias = binder.tensor("bias", shape: [features])
        self.epsilon = Float(epsilon)
    }

    /// `output ← LayerNorm(input)`, rows split across the pool.
    func callAsFunction(_ input: MatrixView, into output: MutableMatrixView, _ compute: ComputeContext) {
        Kernels.layerNorm(input, weight: weight.pointer, bias: bias.pointer, epsilon: epsilon, into: output,
                          instructionSet: compute.instructionSet, pool: compute.pool)
    }

    /// `output ← LayerNorm(input)` as packed rows for a bfloat16 product.
    func callAsFunction(_ input: MatrixView, into output: PackedRows, _ compute: ComputeContext) {
        Kernels.layerNorm(input, weight: weight.pointer, bias: bias.pointer, epsilon: epsilon, into: output,
                          pool: compute.pool)
    }
}
