import Foundation

/// The fixed-point filter weights for resampling one axis, computed exactly as Pillow's
/// `precompute_coeffs` and `normalize_coeffs_8bpc` do.
///
/// For output index `i` the filter is centred at `(i + 0.5) · scale` in source coordinates; when shrinking
/// (`scale > 1`) its support is widened by `scale`, which is what makes Pillow's resize antialiased. The taps
/// are normalised to sum to 1 in double precision, then rounded half away from zero to integers with
/// ``precisionBits`` fractional bits.
struct ResamplingCoefficients {
    /// Pillow's `PRECISION_BITS`: 32 − 8 − 2, leaving 8 bits for the value and 2 for overshoot.
    static let precisionBits: Int32 = 22

    /// The number of coefficient slots per output index (Pillow's `ksize`).
    let stride: Int
    /// The first source index each output index reads.
    let starts: [Int]
    /// How many source indices each output index reads (at most `stride`).
    let counts: [Int]
    /// `stride` fixed-point weights per output index; unused slots are 0.
    let weights: [Int32]

    /// Coefficients for resampling `inputSize` source pixels to `outputSize` with `filter`.
    ///
    /// - Precondition: `filter` is not ``ResamplingFilter/nearest``; both sizes are positive.
    init(inputSize: Int, outputSize: Int, filter: ResamplingFilter) {
        let filterSupport = filter.support!
        // Pillow passes the box edges as C floats and subtracts them in float before widening to double.
        let scale = Double(Float(inputSize) - Float(0)) / Double(outputSize)
        let filterScale = max(scale, 1)
        let support = filterSupport * filterScale
        let stride = Int(support.rounded(.up)) * 2 + 1
        var starts = [Int](repeating: 0, count: outputSize)
        var counts = [Int](repeating: 0, count: outputSize)
        var weights = [Int32](repeating: 0, count: outputSize * stride)
        var taps = [Double](repeating: 0, count: stride)
        let inverseScale = 1.0 / filterScale
        for index in 0..<outputSize {
            let center = (Double(index) + 0.5) * scale
            // C's (int) cast truncates toward zero; the clamps follow it, as in Pillow.
            let first = max(Int(center - support + 0.5), 0)
            let end = min(Int(center + support + 0.5), inputSize)
            let count = max(end - first, 0)
            var total = 0.0
            for tap in 0..<count {
                let weight = filter.weight((Double(tap + first) - center + 0.5) * inverseScale)
                taps[tap] = weight
                total += weight
            }
            for tap in 0..<count {
                let normalized = total != 0 ? taps[tap] / total : taps[tap]
                weights[index * stride + tap] = Self.fixedPoint(normalized)
            }
            starts[index] = first
            counts[index] = count
        }
        self.stride = stride
        self.starts = starts
        self.counts = counts
        self.weights = weights
    }

    /// Pillow's rounding to fixed point: half away from zero, then truncation toward zero by the C cast.
    private static func fixedPoint(_ weight: Double) -> Int32 {
        let scaled = weight * Double(1 << precisionBits)
        return Int32(weight < 0 ? -0.5 + scaled : 0.5 + scaled)
    }
}
