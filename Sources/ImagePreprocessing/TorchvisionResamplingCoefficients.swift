import Foundation

/// The 16-bit fixed-point weights with which PyTorch resamples one axis of a `uint8` image in
/// `torch.nn.functional.interpolate(…, antialias=True)` (what torchvision's `resize` calls for transformers'
/// torchvision backend), computed as PyTorch's `_compute_index_ranges_int16_weights` computes them.
///
/// The geometry is Pillow's: scale `in / out`, support widened by the scale when shrinking, centre
/// `(i + 0.5) · scale`, window `[(int)(c − s + 0.5), (int)(c + s + 0.5))` clamped to the image and to the
/// slot count, weights normalised to sum 1 in double precision. What differs from Pillow is the fixed point:
/// instead of a fixed 22 fractional bits in 32-bit weights, PyTorch stores `int16` weights with as many
/// fractional bits (at most 22) as keep the largest weight of the whole axis below 2¹⁵, so a pixel can round
/// differently — the one-level differences between transformers' two backends.
///
/// Nearest-neighbour (`nearest-exact`, transformers' mapping of `resample: 0`) is expressed in the same form,
/// one tap of weight `2^precision` per output, so the resampler needs no second code path.
struct TorchvisionResamplingCoefficients: Sendable {
    /// The fractional bits of ``weights``: an output is `clip((2^(p−1) + Σ v · w) >> p)`.
    let precision: Int32
    /// The weight slots per output index (PyTorch's `max_interp_size`).
    let stride: Int
    /// The first source index each output index reads (nondecreasing).
    let starts: [Int]
    /// How many source indices each output index reads (at most ``stride``); `starts[i] + counts[i]` is
    /// nondecreasing too.
    let counts: [Int]
    /// ``stride`` weights per output index; unused slots are 0.
    let weights: [Int32]

    /// The largest ``counts`` value: how many source rows one output row ever needs at once.
    var maximumCount: Int { counts.max() ?? 0 }

    /// Coefficients for resampling `inputSize` source pixels to `outputSize` with `filter`.
    ///
    /// - Precondition: both sizes are positive; `filter` is nearest, bilinear, bicubic or Lanczos.
    init(inputSize: Int, outputSize: Int, filter: ResamplingFilter) {
        precondition(inputSize > 0 && outputSize > 0, "resampling needs positive sizes")
        if filter == .nearest {
            self = .nearestExact(inputSize: inputSize, outputSize: outputSize)
            return
        }
        // area_pixel_compute_scale<double> without align_corners or an explicit scale factor.
        let scale = Double(inputSize) / Double(outputSize)
        let support = filter.support! * (scale >= 1 ? scale : 1)
        let stride = Int(support.rounded(.up)) * 2 + 1
        let inverseScale = scale >= 1 ? 1 / scale : 1
        var starts = [Int](repeating: 0, count: outputSize)
        var counts = [Int](repeating: 0, count: outputSize)
        var normalized = [Double](repeating: 0, count: outputSize * stride)
        var largest = 0.0
        for index in 0..<outputSize {
            let center = scale * (Double(index) + 0.5)
            let first = max(Int(center - support + 0.5), 0)
            // "There are rare cases when due to precision xsize can be larger than max_interp_size by one."
            let count = min(max(min(Int(center + support + 0.5), inputSize) - first, 0), stride)
            var total = 0.0
            for tap in 0..<count {
                let weight = Self.weight(filter, (Double(tap + first) - center + 0.5) * inverseScale)
                normalized[index * stride + tap] = weight
                total += weight
            }
            // PyTorch takes the maximum over normalised weights only; an all-zero window keeps its raw zeros.
            if total != 0 {
                for tap in 0..<count {
                    normalized[index * stride + tap] /= total
                    largest = max(largest, normalized[index * stride + tap])
                }
            }
            starts[index] = first
            counts[index] = count
        }
        let precision = Self.precision(forLargestWeight: largest)
        let unit = Double(1 << precision)
        // Rounded half away from zero, then truncated by the C cast, as PyTorch does.
        let weights = normalized.map { weight in
            let scaled = weight * unit
            return Int32(Int16(truncatingIfNeeded: Int(scaled < 0 ? -0.5 + scaled : 0.5 + scaled)))
        }
        self.init(precision: precision, stride: stride, starts: starts, counts: counts, weights: weights)
    }

    private init(precision: Int32, stride: Int, starts: [Int], counts: [Int], weights: [Int32]) {
        (self.precision, self.stride, self.starts, self.counts, self.weights) = (precision, stride, starts, counts, weights)
    }

    /// `nearest-exact`: source index `min(⌊max((i + 0.5) · s − 0.5, 0) + 0.5⌋, in − 1)`, all in Float32 with
    /// `s = Float(in) / Float(out)`, as PyTorch computes indices for `uint8` input (it picks `float` there).
    private static func nearestExact(inputSize: Int, outputSize: Int) -> Self {
        let scale = Float(inputSize) / Float(outputSize)
        let starts = (0..<outputSize).map { index in
            let source = max(scale * (Float(index) + 0.5) - 0.5, 0)
            return min(Int((source + 0.5).rounded(.down)), inputSize - 1)
        }
        return Self(precision: 14, stride: 1, starts: starts, counts: [Int](repeating: 1, count: outputSize),
                    weights: [Int32](repeating: 1 << 14, count: outputSize))
    }

    /// PyTorch's choice of fractional bits: the last precision `p < 22` for which rounding the largest weight
    /// at `p + 1` bits would reach 2¹⁵, or 22.
    static func precision(forLargestWeight largest: Double) -> Int32 {
        var precision: Int32 = 0
        while precision < 22 {
            if Int(0.5 + largest * Double(1 << (precision + 1))) >= 1 << 15 { break }
            precision += 1
        }
        return precision
    }

    /// PyTorch's `aa_filter` functions in double precision. Bilinear and Lanczos are the same expressions as
    /// Pillow's; PyTorch evaluates the outer lobe of the Keys cubic (a = −0.5, its antialiasing choice) as
    /// `((a·x − 5a)·x + 8a)·x − 4a`, which can differ from Pillow's `(((x − 5)·x + 8)·x − 4)·a` in the
    /// last bit.
    static func weight(_ filter: ResamplingFilter, _ x: Double) -> Double {
        guard filter == .bicubic else { return filter.weight(x) }
        let a = -0.5
        let distance = abs(x)
        if distance < 1 { return ((a + 2) * distance - (a + 3)) * distance * distance + 1 }
        if distance < 2 { return ((a * distance - 5 * a) * distance + 8 * a) * distance - 4 * a }
        return 0
    }
}
