/// An element type of a tensor stored in a safetensors file, named as the format names it.
///
/// Every dtype of the reference implementation is known here, so that a file's layout (byte
/// ranges) is validated exactly even when it holds tensors we cannot use. Only the floating-point
/// types in ``isConvertibleToFloat32`` can be read as ``Tensors/Tensor``s; asking for another
/// fails with ``SafetensorsError/unsupportedDType(file:tensor:dtype:)``.
public enum DType: String, Sendable, CaseIterable, Equatable {
    /// Boolean, one byte.
    case bool = "BOOL"
    /// 4-bit float (MXF4), two per byte.
    case f4 = "F4"
    /// 6-bit float (MXF6, E2M3).
    case f6E2M3 = "F6_E2M3"
    /// 6-bit float (MXF6, E3M2).
    case f6E3M2 = "F6_E3M2"
    /// Unsigned 8-bit integer.
    case u8 = "U8"
    /// Signed 8-bit integer.
    case i8 = "I8"
    /// 8-bit float, E5M2.
    case f8E5M2 = "F8_E5M2"
    /// 8-bit float, E4M3.
    case f8E4M3 = "F8_E4M3"
    /// 8-bit exponent-only scale (MX E8M0).
    case f8E8M0 = "F8_E8M0"
    /// Signed 16-bit integer.
    case i16 = "I16"
    /// Unsigned 16-bit integer.
    case u16 = "U16"
    /// IEEE 754 half precision.
    case f16 = "F16"
    /// bfloat16: the top half of a Float32.
    case bf16 = "BF16"
    /// Signed 32-bit integer.
    case i32 = "I32"
    /// Unsigned 32-bit integer.
    case u32 = "U32"
    /// IEEE 754 single precision.
    case f32 = "F32"
    /// Complex number of two Float32s.
    case c64 = "C64"
    /// IEEE 754 double precision.
    case f64 = "F64"
    /// Signed 64-bit integer.
    case i64 = "I64"
    /// Unsigned 64-bit integer.
    case u64 = "U64"

    /// The size of one element in bits (sub-byte types pack several elements per byte).
    public var bitWidth: Int {
        switch self {
        case .f4: 4
        case .f6E2M3, .f6E3M2: 6
        case .bool, .u8, .i8, .f8E5M2, .f8E4M3, .f8E8M0: 8
        case .i16, .u16, .f16, .bf16: 16
        case .i32, .u32, .f32: 32
        case .c64, .f64, .i64, .u64: 64
        }
    }

    /// Whether tensors of this type can be loaded as Float32: F32 in place, F16 and BF16 exactly,
    /// F64 rounded to nearest.
    public var isConvertibleToFloat32: Bool {
        switch self {
        case .f32, .f16, .bf16, .f64: true
        default: false
        }
    }
}
