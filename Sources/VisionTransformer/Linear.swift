import Tensors

/// A fully connected layer, `y = x·Wᵀ + b`, with PyTorch's `[out, in]` weight layout used in
/// place (the GEMM reads it transposed, so memory-mapped weights are never copied).
public struct Linear: Sendable {
    /// How the weight matrix is kept.
    enum Storage: Sendable {
        /// `[outputFeatures, inputFeatures]` Float32, possibly borrowed from a memory map.
        case float32(Tensor)
        /// The same matrix as bfloat16, widened into scratch memory for each product.
        case bfloat16(BFloat16Matrix)
    }

    let storage: Storage
    /// `[outputFeatures]`, or `nil` for a layer without bias.
    public let bias: Tensor?
    /// The width of an input row.
    public let inputFeatures: Int
    /// The width of an output row.
    public let outputFeatures: Int

    /// Binds `weight` (and `bias` when `hasBias`) under `binder`'s scope.
    public init(_ binder: WeightBinder, inputFeatures: Int, outputFeatures: Int, hasBias: Bool = true) {
        let weight = binder.storedTensor("weight", shape: [outputFeatures, inputFeatures])
        switch binder.precision {
        case .float32: storage = .float32(weight)
        case .bfloat16: storage = .bfloat16(BFloat16Matrix(weight))
        }
        bias = hasBias ? binder.tensor("bias", shape: [outputFeatures]) : nil
        self.inputFeatures = inputFeatures
        self.outputFeatures = outputFeatures
    }

    /// The weight as Float32 values, `[outputFeatures, inputFeatures]` (a widened copy for
    /// bfloat16 storage).
    public var weight: Tensor {
        switch storage {
        case .float32(let tensor):
            return tensor
        case .bfloat16(let matrix):
            let tensor = Tensor(zeros: [outputFeatures, inputFeatures])
            matrix.widen(into: tensor.mutablePointer)
            return tensor
        }
    }

    /// `output ← input·Wᵀ + β·output`; the bias is *not* added, so callers can fuse it into
    /// the pass that follows (activation, residual + LayerNorm) or pre-fill it with β = 1.
    func multiply(_ input: MatrixView, into output: MutableMatrixView, accumulate: Bool, workspace: Workspace) {
        switch storage {
        case .float32(let tensor):
            MatrixMultiply.gemm(input, tensor.matrix, into: output, transposeB: true, beta: accumulate ? 1 : 0)
        case .bfloat16(let matrix):
            let mark = workspace.mark()
            defer { workspace.rewind(to: mark) }
            let widened = workspace.buffer(outputFeatures * inputFeatures)
            matrix.widen(into: widened)
            MatrixMultiply.gemm(input, MatrixView(widened, rows: outputFeatures, columns: inputFeatures),
                                into: output, transposeB: true, beta: accumulate ? 1 : 0)
        }
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
