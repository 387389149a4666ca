import CKernels

/// What a GEMM does to each product before storing it: `C = act(α·A·B + bias) + residual`.
///
/// Done in the kernel's output stage while the tile is still in registers, so no separate pass
/// re-reads the output: `bias` + GELU for an MLP's first layer, `bias` + the residual for the
/// projections that end a residual branch, α for attention's `1/√d`.
public struct GEMMEpilogue {
    /// Scales the product.
    public var alpha: Float
    /// Added to every row after α (`[columns]`), or `nil`.
    public var bias: UnsafePointer<Float>?
    /// Applied after the bias, or `nil` for none.
    public var activation: Activation?
    /// Added last, element by element (`rows × columns`; may be the output itself), or `nil`.
    public var residual: MatrixView?

    /// Creates an epilogue; the default stores the plain product.
    public init(alpha: Float = 1, bias: UnsafePointer<Float>? = nil, activation: Activation? = nil,
                residual: MatrixView? = nil) {
        self.alpha = alpha
        self.bias = bias
        self.activation = activation
        self.residual = residual
    }

    /// The plain product.
    public static var none: GEMMEpilogue { GEMMEpilogue() }

    /// The C description.
    var kernelEpilogue: ck_epilogue {
        ck_epilogue(alpha: alpha, bias: bias, activation: activation?.kernelActivation ?? CK_ACTIVATION_IDENTITY,
                    residual: residual?.base, ldr: residual?.leadingDimension ?? 0)
    }
}

extension Activation {
    /// The C kernels' name for this activation.
    var kernelActivation: ck_activation {
        switch self {
        case .gelu: CK_ACTIVATION_GELU
        case .geluTanh: CK_ACTIVATION_GELU_TANH
        case .relu: CK_ACTIVATION_RELU
        case .silu: CK_ACTIVATION_SILU
        case .quickGelu: CK_ACTIVATION_QUICK_GELU
        }
    }
}
