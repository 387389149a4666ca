/// One axis of a separable resize in the form both backends share: output `i` is
/// `clip((2^(p−1) + Σₜ v[starts[i] + t] · weights[i · stride + t]) >> p)` over `counts[i]` taps, in 32-bit
/// integers, clipped to 0…255.
///
/// Pillow's weights have `p = 22` (``ResamplingCoefficients``), PyTorch's a per-axis `p`
/// (``TorchvisionResamplingCoefficients``). Nearest neighbour is one tap of weight `2^p`, or none (a black
/// output) where Pillow's affine position falls outside the image. Both `starts[i]` and
/// `starts[i] + counts[i]` are nondecreasing in `i`, which is what lets rows be consumed as they arrive.
struct AxisWeights: Sendable {
    let precision: Int32
    let stride: Int
    let starts: [Int]
    let counts: [Int]
    let weights: [Int32]

    var outputSize: Int { starts.count }

    /// The first input index past output `index`'s window.
    @inline(__always)
    func end(_ index: Int) -> Int { starts[index] + counts[index] }

    /// Pillow's weights for resampling `inputSize` to `outputSize` with `filter`.
    static func pillow(inputSize: Int, outputSize: Int, filter: ResamplingFilter) -> AxisWeights {
        if filter == .nearest { return pillowNearest(inputSize: inputSize, outputSize: outputSize) }
        let coefficients = ResamplingCoefficients(inputSize: inputSize, outputSize: outputSize, filter: filter)
        return AxisWeights(precision: ResamplingCoefficients.precisionBits, stride: coefficients.stride,
                           starts: coefficients.starts, counts: coefficients.counts, weights: coefficients.weights)
    }

    /// PyTorch's weights for resampling `inputSize` to `outputSize` with `filter`.
    static func torchvision(inputSize: Int, outputSize: Int, filter: ResamplingFilter) -> AxisWeights {
        let coefficients = TorchvisionResamplingCoefficients(inputSize: inputSize, outputSize: outputSize,
                                                             filter: filter)
        return AxisWeights(precision: coefficients.precision, stride: coefficients.stride,
                           starts: coefficients.starts, counts: coefficients.counts, weights: coefficients.weights)
    }

    /// Pillow's `ImagingScaleAffine` along one axis: source `(int)` of a position that starts at half the scale
    /// and grows by repeated addition of the scale in double precision (see ``PillowResampler``). Pillow maps
    /// both axes in one step, but with one tap per axis and no intermediate rounding that equals two passes.
    private static func pillowNearest(inputSize: Int, outputSize: Int) -> AxisWeights {
        let scale = Double(Float(inputSize)) / Double(outputSize)
        var starts = [Int](repeating: 0, count: outputSize)
        var counts = [Int](repeating: 0, count: outputSize)
        var position = scale * 0.5
        for index in 0..<outputSize {
            let source = position < 0 ? -1 : Int(position)
            if source >= 0 && source < inputSize {
                (starts[index], counts[index]) = (source, 1)
            } else {
                // No tap: black. Positions only grow, so this is at an end, and the windows stay ordered.
                (starts[index], counts[index]) = (source < 0 ? 0 : inputSize, 0)
            }
            position += scale
        }
        let unit = Int32(1) << ResamplingCoefficients.precisionBits
        return AxisWeights(precision: ResamplingCoefficients.precisionBits, stride: 1, starts: starts, counts: counts,
                           weights: [Int32](repeating: unit, count: outputSize))
    }

    /// The rounding term every sum starts from.
    var rounding: Int32 { 1 << (precision - 1) }

    /// The most taps any output in `outputs` reads.
    func maximumCount(in outputs: Range<Int>) -> Int {
        outputs.reduce(0) { max($0, counts[$1]) }
    }

    /// The most windows among `outputs` that contain any one input index: how many sums a pass that adds each
    /// input into every output reading it must keep open at once.
    func maximumOverlap(in outputs: Range<Int>) -> Int {
        // Windows opened minus windows closed, swept over the inputs in order; starts and ends are sorted.
        var opened = outputs.lowerBound, closed = outputs.lowerBound, most = 0
        while opened < outputs.upperBound {
            let input = starts[opened]
            while opened < outputs.upperBound && starts[opened] <= input { opened += 1 }
            while closed < opened && end(closed) <= input { closed += 1 }
            most = max(most, opened - closed)
        }
        return most
    }
}
