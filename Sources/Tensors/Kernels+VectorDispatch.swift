import CKernels

/// Calls into the C kernels compiled for AVX2 / AVX-512 (see ``VectorInstructionSet``). Each
/// returns `false` for ``VectorInstructionSet/baseline``, where the caller runs its Swift loop.
extension VectorInstructionSet {
    @inline(__always)
    func activationRows(_ activation: svk_activation, first: UnsafeMutablePointer<Float>, rows: Int,
                        columns: Int, leadingDimension: Int, bias: UnsafePointer<Float>?) -> Bool {
        switch self {
        case .avx512: svk_avx512_activation_rows(activation, first, rows, columns, leadingDimension, bias)
        case .avx2: svk_avx2_activation_rows(activation, first, rows, columns, leadingDimension, bias)
        case .baseline: return false
        }
        return true
    }

    @inline(__always)
    func softmaxRow(_ values: UnsafeMutablePointer<Float>, count: Int) -> Bool {
        switch self {
        case .avx512: svk_avx512_softmax_row(values, count)
        case .avx2: svk_avx2_softmax_row(values, count)
        case .baseline: return false
        }
        return true
    }

    @inline(__always)
    func addRow(_ row: UnsafeMutablePointer<Float>, delta: UnsafePointer<Float>?,
                deltaBias: UnsafePointer<Float>?, count: Int) -> Bool {
        switch self {
        case .avx512: svk_avx512_add_row(row, delta, deltaBias, count)
        case .avx2: svk_avx2_add_row(row, delta, deltaBias, count)
        case .baseline: return false
        }
        return true
    }

    @inline(__always)
    func layerNormRow(_ row: UnsafePointer<Float>, count: Int, weight: UnsafePointer<Float>,
                      bias: UnsafePointer<Float>, epsilon: Float, into output: UnsafeMutablePointer<Float>) -> Bool {
        switch self {
        case .avx512: svk_avx512_layer_norm_row(row, count, weight, bias, epsilon, output)
        case .avx2: svk_avx2_layer_norm_row(row, count, weight, bias, epsilon, output)
        case .baseline: return false
        }
        return true
    }
}
