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

    /// `value` rounded to the nearest bfloat16 (ties to even), as its 16 bits. NaN stays NaN.
    @inline(__always)
    static func bfloat16Bits(_ value: Float) -> UInt16 {
        let bits = value.bitPattern
        if value.isNaN { return UInt16(truncatingIfNeeded: bits >> 16) | 0x0040 }
        let roundingBias = 0x7FFF + ((bits >> 16) & 1)
        return UInt16(truncatingIfNeeded: (bits &+ roundingBias) >> 16)
    }

    /// The Float32 equal to a bfloat16 given by its bits.
    @inline(__always)
    static func float(bfloat16 bits: UInt16) -> Float {
        Float(bitPattern: UInt32(bits) << 16)
    }

    /// A copy of `tensor` with every value rounded to bfloat16, as Float32.
    static func roundedToBFloat16(_ tensor: Tensor) -> Tensor {
        let rounded = Tensor(zeros: tensor.shape)
        let source = tensor.pointer, destination = rounded.mutablePointer
        for index in 0..<tensor.count { destination[index] = float(bfloat16: bfloat16Bits(source[index])) }
        return rounded
    }
}
