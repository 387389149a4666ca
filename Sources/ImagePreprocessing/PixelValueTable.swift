/// The rescale and normalize steps as a lookup table: since the resized image is 8-bit, each channel has
/// only 256 possible outputs, computed once with exactly the backend's operations and precisions.
enum PixelValueTable {
    /// `table[c * 256 + v]` is the output for value `v` in channel `c`.
    static func make(_ configuration: ImageProcessingConfiguration, backend: ProcessorBackend) -> [Float] {
        var table = [Float](repeating: 0, count: 3 * 256)
        for channel in 0..<3 {
            let mean = configuration.imageMean[channel], std = configuration.imageStd[channel]
            for value in 0..<256 {
                table[channel * 256 + value] = switch backend {
                case .pillow: pillow(value, configuration, mean: mean, std: std)
                case .torchvision: torchvision(value, configuration, mean: mean, std: std)
                }
            }
        }
        return table
    }

    /// numpy in transformers' Pillow backend: `image.astype(float64) * scale`, cast to float32, then
    /// `(image − mean) / std` with float32 arrays (a true division, not a reciprocal).
    private static func pillow(_ value: Int, _ configuration: ImageProcessingConfiguration,
                               mean: Double, std: Double) -> Float {
        var x = configuration.doRescale ? Float(Double(value) * configuration.rescaleFactor) : Float(value)
        if configuration.doNormalize { x = (x - Float(mean)) / Float(std) }
        return x
    }

    /// torch in transformers' torchvision backend. With both steps, `_fuse_mean_std_and_rescale_factor` folds
    /// the rescale into the statistics — `torch.tensor(mean) * (1.0 / rescale_factor)`, a float32 tensor
    /// times a scalar cast to float32 — and `normalize` computes `(Float(v) − mean′) / std′` in float32.
    /// Rescale alone is `uint8 tensor * scale`: float32 times the scale cast to float32. Neither leaves the
    /// bytes, which the pipeline casts to float32.
    private static func torchvision(_ value: Int, _ configuration: ImageProcessingConfiguration,
                                    mean: Double, std: Double) -> Float {
        let x = Float(value)
        switch (configuration.doRescale, configuration.doNormalize) {
        case (true, true):
            let inverse = Float(1.0 / configuration.rescaleFactor)
            return (x - Float(mean) * inverse) / (Float(std) * inverse)
        case (false, true): return (x - Float(mean)) / Float(std)
        case (true, false): return x * Float(configuration.rescaleFactor)
        case (false, false): return x
        }
    }
}
