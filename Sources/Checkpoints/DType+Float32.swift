extension DType {
    /// Converts `count` little-endian elements of this type at `source` to Float32.
    ///
    /// Reads are unaligned-safe (`loadUnaligned`), because a tensor's data may start at any byte
    /// offset in a file written by another tool. Half precision and bfloat16 convert exactly
    /// (every value, including subnormals, infinities and NaNs, is representable in Float32);
    /// double precision rounds to nearest, ties to even, as IEEE 754 conversion does.
    ///
    /// - Precondition: ``isConvertibleToFloat32``, and `source` holds `count` elements.
    static func convertToFloat32(_ dtype: DType, from source: UnsafeRawPointer, count: Int,
                                 into destination: UnsafeMutablePointer<Float>) {
        switch dtype {
        case .f32:
            // memcpy has no alignment requirement; the bytes are little-endian on every platform
            // Swift supports for this package (x86_64, arm64).
            UnsafeMutableRawPointer(destination).copyMemory(from: source, byteCount: count * 4)
            #if _endian(big)
            for i in 0..<count { destination[i] = Float(bitPattern: UInt32(littleEndian: destination[i].bitPattern)) }
            #endif
        case .f16:
            for i in 0..<count {
                let bits = UInt16(littleEndian: source.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))
                destination[i] = DType.float(fromFloat16Bits: bits)
            }
        case .bf16:
            for i in 0..<count {
                let bits = UInt16(littleEndian: source.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))
                destination[i] = DType.float(fromBFloat16Bits: bits)
            }
        case .f64:
            for i in 0..<count {
                let bits = UInt64(littleEndian: source.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self))
                destination[i] = Float(Double(bitPattern: bits))
            }
        default:
            preconditionFailure("\(dtype.rawValue) cannot be converted to Float32")
        }
    }

    /// The Float32 equal to an IEEE 754 half-precision value given by its bits.
    ///
    /// Written out rather than going through `Float16`, which is unavailable on some platforms
    /// (macOS on x86_64); the tests compare it with `Float16` exhaustively where it exists.
    public static func float(fromFloat16Bits bits: UInt16) -> Float {
        let sign = UInt32(bits & 0x8000) << 16
        let exponent = UInt32(bits >> 10) & 0x1F
        let mantissa = UInt32(bits) & 0x3FF
        switch exponent {
        case 0:
            // Zero or subnormal: mantissa · 2⁻²⁴, exactly representable as a Float32 product.
            let magnitude = Float(mantissa) * 0x1p-24
            return Float(bitPattern: sign | magnitude.bitPattern)
        case 0x1F:
            // Infinity or NaN; the payload moves to the top of the Float32 mantissa, so a quiet
            // NaN stays quiet and a signalling NaN keeps its payload bits.
            return Float(bitPattern: sign | 0x7F80_0000 | mantissa << 13)
        default:
            // Normal: rebias the exponent from 15 to 127.
            return Float(bitPattern: sign | (exponent + 112) << 23 | mantissa << 13)
        }
    }

    /// The Float32 equal to a bfloat16 value given by its bits: bfloat16 is the upper half of a
    /// Float32, so this is exact for every value.
    public static func float(fromBFloat16Bits bits: UInt16) -> Float {
        Float(bitPattern: UInt32(bits) << 16)
    }
}
