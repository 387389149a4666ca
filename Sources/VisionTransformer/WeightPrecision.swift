import Checkpoints
import Tensors

/// The values a model's weights take while it runs. Computation is always Float32.
public enum WeightPrecision: String, Sendable, CaseIterable {
    /// The checkpoint's values, widened to Float32 (F16/BF16 exactly). Exactly the checkpoint's model.
    case float32
    /// Every weight rounded to bfloat16 (round to nearest even, as PyTorch's
    /// `.to(torch.bfloat16)`), the matrices kept as bfloat16 (half the memory) and widened exactly
    /// inside the Float32 GEMM: the logits are those of the model saved in bfloat16, bit for bit the
    /// same as Float32 products over the rounded weights.
    case bfloat16

    /// A copy of `tensor` with every value rounded to bfloat16, as Float32.
    static func roundedToBFloat16(_ tensor: Tensor) -> Tensor {
        let rounded = Tensor(zeros: tensor.shape)
        let source = tensor.pointer, destination = rounded.mutablePointer
        for index in 0..<tensor.count {
            destination[index] = DType.float(fromBFloat16Bits: DType.bfloat16Bits(roundingToNearestEven: source[index]))
        }
        return rounded
    }
}
