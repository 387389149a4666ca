import Tensors

/// The precision a model keeps its weights in while it runs. Computation is always Float32.
public enum WeightPrecision: String, Sendable, CaseIterable {
    /// Weights as Float32: F32 checkpoints are used in place from the memory map, F16/BF16 ones
    /// are widened once at load. Exactly the checkpoint's model.
    case float32
    /// Every weight rounded to bfloat16 (round to nearest even, as PyTorch's
    /// `.to(torch.bfloat16)`), with the linear layers' matrices *kept* as bfloat16: less resident
    /// memory for a Float32 checkpoint (ViT-B/16, measured: 224 MB instead of 384 MB after
    /// classifying; the peak while converting at load is higher). Each GEMM widens its matrix into
    /// scratch memory first (no speed difference measurable on this machine), and the logits are
    /// those of the model saved in bfloat16.
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

/// A `[rows, columns]` matrix kept as bfloat16 bits.
struct BFloat16Matrix: @unchecked Sendable {
    let rows: Int
    let columns: Int
    /// `rows × columns` bfloat16 values (2 bytes each), 64-byte aligned.
    let storage: TensorStorage

    init(_ tensor: Tensor) {
        rows = tensor.shape[0]
        columns = tensor.count / max(1, tensor.shape[0])
        storage = TensorStorage(byteCount: tensor.count * MemoryLayout<UInt16>.stride)
        let bits = storage.baseAddress.assumingMemoryBound(to: UInt16.self), source = tensor.pointer
        for index in 0..<tensor.count { bits[index] = WeightPrecision.bfloat16Bits(source[index]) }
    }

    /// Widens the matrix into `destination` (`rows × columns` floats), in parallel.
    func widen(into destination: UnsafeMutablePointer<Float>) {
        ComputeThreads.pool.parallelFor(rows * columns, minimumChunk: 1 << 16,
                                        Widening(bits: storage.baseAddress.assumingMemoryBound(to: UInt16.self),
                                                 destination: destination))
    }

    private struct Widening: ParallelRangeWork {
        let bits: UnsafeMutablePointer<UInt16>
        let destination: UnsafeMutablePointer<Float>
        func run(_ range: Range<Int>) {
            for index in range { destination[index] = WeightPrecision.float(bfloat16: bits[index]) }
        }
    }
}
