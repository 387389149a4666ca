/// The SIMD width the element-wise kernels work in. Eight lanes keep two SSE registers (or one
/// AVX register) busy per value while leaving enough registers for the polynomial temporaries.
public typealias FloatVector = SIMD8<Float>

/// Vectorised transcendental functions for the element-wise kernels.
///
/// Scalar `exp`/`erf` from libm cost ~10–20 ns per call, and a ViT-B forward pass evaluates about
/// 13 million of them per image (GELU and softmax), so they must be vectorised. Each function
/// documents its accuracy; the kernel tests check it against Float64.
public enum VectorMath {
    // Cephes' `expf` scheme: exp(x) = 2ⁿ · exp(r), n = round(x / ln 2), |r| ≤ ln 2 / 2,
    // with ln 2 split in two so that x − n·ln 2 is exact, and a degree-5 polynomial for exp(r).
    @usableFromInline static let ln2High: Float = 0.693359375
    @usableFromInline static let ln2Low: Float = -2.12194440e-4
    @usableFromInline static let log2e: Float = 1.44269504088896341
    /// Adding 1.5·2²³ rounds a float of magnitude < 2²² to an integer (round-to-nearest-even).
    @usableFromInline static let roundingMagic: Float = 12_582_912
    /// exp(x) overflows above this.
    @usableFromInline static let expOverflow: Float = 88.72283935546875
    /// exp(x) is below the smallest normal float under this; we flush to zero, as softmax and
    /// the activations never need subnormal results.
    @usableFromInline static let expUnderflow: Float = -87.33654022216797

    /// e^x, within 2 ulp for results above 2·FLT_MIN (smaller ones flush to 0); +∞ above 88.72,
    /// NaN for NaN.
    @inlinable @inline(__always)
    public static func exp(_ x: FloatVector) -> FloatVector {
        // Clamp with compare-and-select rather than `clamped(…)`: it vectorises, and NaN lanes
        // pass through (they are restored at the end).
        var clamped = x
        clamped.replace(with: expUnderflow, where: x .< expUnderflow)
        clamped.replace(with: expOverflow, where: x .> expOverflow)
        let shifted = clamped * log2e + roundingMagic
        let n = shifted - roundingMagic
        let r = clamped - n * ln2High - n * ln2Low
        var p = FloatVector(repeating: 1.9875691500e-4)
        p = p * r + 1.3981999507e-3
        p = p * r + 8.3334519073e-3
        p = p * r + 4.1665795894e-2
        p = p * r + 1.6666665459e-1
        p = p * r + 5.0000001201e-1
        p = p * (r * r) + r + 1
        // n as an integer is already in the low mantissa bits of `shifted` (that is what the
        // magic constant does); subtracting the constant's bits extracts it without a
        // float-to-int conversion (which would trap on NaN and is not vectorised). 2ⁿ⁻¹ is then
        // built directly in the exponent field and the product doubled: n ∈ [−126, 128] after
        // clamping, and 2¹²⁸ itself is not a float. (At n = −126 the field is 0, flushing
        // results below 2·FLT_MIN to zero, as documented.)
        let magicBits = unsafeBitCast(FloatVector(repeating: roundingMagic), to: SIMD8<Int32>.self)
        let nBits = unsafeBitCast(shifted, to: SIMD8<Int32>.self) &- magicBits
        let halfScale = unsafeBitCast((nBits &+ 126) &<< 23, to: FloatVector.self)
        var result = (p * halfScale) * 2
        result.replace(with: .infinity, where: x .>= expOverflow)
        result.replace(with: 0, where: x .<= expUnderflow)
        result.replace(with: x, where: x .!= x)
        return result
    }

    /// The error function, by Abramowitz & Stegun 7.1.26: absolute error below 1.5·10⁻⁷ (about
    /// one ulp near ±1), the same approximation PyTorch's vectorised CPU `erf` uses. NaN for NaN.
    @inlinable @inline(__always)
    public static func erf(_ x: FloatVector) -> FloatVector {
        let ax = magnitude(x)
        let t = 1 / (0.3275911 * ax + 1)
        var poly = FloatVector(repeating: 1.061405429)
        poly = poly * t - 1.453152027
        poly = poly * t + 1.421413741
        poly = poly * t - 0.284496736
        poly = poly * t + 0.254829592
        poly = poly * t
        // Copy x's sign onto erf(|x|) (keeps erf(−0) = −0; NaN propagates through ax).
        return withSign(of: x, 1 - poly * exp(-(ax * ax)))
    }

    /// tanh(x) = sign(x) · (1 − 2 / (e^{2|x|} + 1)); absolute error about 2·10⁻⁷. NaN for NaN.
    @inlinable @inline(__always)
    public static func tanh(_ x: FloatVector) -> FloatVector {
        let twice = magnitude(x) * 2
        return withSign(of: x, 1 - 2 / (exp(twice) + 1))
    }

    /// The logistic function 1 / (1 + e^{−x}); relative error about 3·10⁻⁷. NaN for NaN.
    @inlinable @inline(__always)
    public static func sigmoid(_ x: FloatVector) -> FloatVector {
        1 / (exp(-x) + 1)
    }

    /// |x| lane-wise, by clearing the sign bit (vectorises; NaN stays NaN).
    @inlinable @inline(__always)
    public static func magnitude(_ x: FloatVector) -> FloatVector {
        unsafeBitCast(unsafeBitCast(x, to: SIMD8<UInt32>.self) & 0x7FFF_FFFF, to: FloatVector.self)
    }

    /// `value` with the sign bit of `sign` (for a non-negative `value`).
    @inlinable @inline(__always)
    static func withSign(of sign: FloatVector, _ value: FloatVector) -> FloatVector {
        let signBit = unsafeBitCast(sign, to: SIMD8<UInt32>.self) & 0x8000_0000
        return unsafeBitCast(unsafeBitCast(value, to: SIMD8<UInt32>.self) | signBit, to: FloatVector.self)
    }
}
