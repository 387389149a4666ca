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

    // The 16-bit float conversions of the package: checkpoints decode with them, and the model rounds
    // weights to bfloat16 with them, so every part of SwiftViT agrees on the bits.

    /// The Float32 equal to an IEEE 754 half-precision value given by its bits.
    ///
    /// Written out rather than going through `Float16`, which is unavailable on some platforms
    /// (macOS on x86_64); the tests compare it with `Float16` exhaustively where it exists.
    @inlinable
    package static func float(fromFloat16Bits bits: UInt16) -> Float {
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
    @inlinable
    package static func float(fromBFloat16Bits bits: UInt16) -> Float {
        Float(bitPattern: UInt32(bits) << 16)
    }

    /// The bits of the bfloat16 nearest to `value`, ties to even: how PyTorch's `.to(torch.bfloat16)`
    /// (and the AVX-512 `vcvtneps2bf16` instruction) round. Values beyond the largest bfloat16 become
    /// infinities; a NaN stays a NaN of the same sign, made quiet, so truncation cannot turn it into an
    /// infinity.
    @inlinable
    package static func bfloat16Bits(roundingToNearestEven value: Float) -> UInt16 {
        let bits = value.bitPattern
        if value.isNaN { return UInt16(truncatingIfNeeded: bits >> 16) | 0x0040 }
        // Adding just under half a unit of the kept part (plus one if that part is odd) carries into it
        // exactly when the dropped half is above the midpoint, or at it with an odd kept part.
        let roundingBias = 0x7FFF + ((bits >> 16) & 1)
        return UInt16(truncatingIfNeeded: (bits &+ roundingBias) >> 16)
    }
}
