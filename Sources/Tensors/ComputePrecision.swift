import CKernels

/// The number format of the weights and activations inside the model's projection GEMMs (QKV, the
/// attention output, the MLP). Attention's own two products (`Q·Kᵀ`, `P·V`) run in bfloat16 in both
/// reduced precisions. Accumulation, LayerNorm, softmax, GELU, the patch embedding and the
/// classifier stay Float32.
public enum ComputePrecision: String, Sendable, CaseIterable, CustomStringConvertible {
    /// Float32 throughout: exact to the checkpoint (the default).
    case float32
    /// Weights packed as bfloat16, activations (queries, keys, values and probabilities too) rounded to
    /// bfloat16 (to nearest even) per GEMM, Float32 accumulation: `vdpbf16ps` where the CPU has AVX512-BF16 (twice the Float32 rate),
    /// the same arithmetic in fused multiply-adds elsewhere (bit-identical, slower).
    case bfloat16
    /// Weights quantised symmetrically per output channel to int8 at load, activations per row
    /// (per token) to uint8 with a zero point per GEMM, exact 32-bit integer sums (attention's own
    /// products in bfloat16): `vpdpbusd` where
    /// the CPU has AVX512-VNNI (four times the Float32 rate), an exact emulation elsewhere.
    case int8

    /// `float32`, `bfloat16` or `int8`.
    public var description: String { rawValue }

    /// The C kernels' name for the format.
    var kernelFormat: ck_gemm_format {
        switch self {
        case .float32: CK_FORMAT_F32
        case .bfloat16: CK_FORMAT_BF16
        case .int8: CK_FORMAT_INT8
        }
    }
}
