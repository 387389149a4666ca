/// Which of transformers 5's two image-processor implementations ``ImageProcessor`` reproduces, bit for bit.
///
/// transformers 5.24 has two backends for every image processor. `AutoImageProcessor.from_pretrained` and
/// `pipeline("image-classification", …)` pick the torchvision one (`ViTImageProcessor`,
/// `DeiTImageProcessor`) whenever torchvision is installed, and the Pillow one (`ViTImageProcessorPil`, …)
/// otherwise or when asked with `backend="pil"`. They decode the same way (`load_image`: Pillow, EXIF
/// transpose, `convert("RGB")`) but resize and normalise differently, so their `pixel_values` differ by one
/// 8-bit level on a fraction of a percent of the values and by float rounding on most others.
public enum ProcessorBackend: String, Sendable, CaseIterable, CustomStringConvertible {
    /// transformers' torchvision backend on CPU: PyTorch's `uint8` antialiased resize (16-bit weights with a
    /// per-axis precision, horizontal pass first), `nearest-exact` for `resample: 0`, torchvision's center
    /// crop (an overhanging crop pads `⌊(crop − size) / 2⌋` before the image), and the fused rescale and
    /// normalize `(Float(v) − Float(mean · 1/rescale)) / Float(std · 1/rescale)` in Float32.
    ///
    /// It has no box or Hamming filter (`resample` 4 and 5): PyTorch's `interpolate` has no such mode, and
    /// transformers raises `NotImplementedError` for them; so does ``ImageProcessor`` (a typed error).
    /// The result is what PyTorch's `uint8` kernels give on x86-64 with AVX2 or AVX-512 and on ARM64; on
    /// x86-64 CPUs without AVX2 torchvision resizes bilinear images in float instead, which this does not
    /// reproduce.
    case torchvision
    /// transformers' Pillow backend: Pillow 13's `Image.resize` (22-bit fixed point, its pass order), the
    /// center crop of `image_transforms` (an overhanging crop pads `⌈(crop − size) / 2⌉`), rescale in
    /// Float64 then normalise in Float32. Every filter.
    case pillow

    /// `torchvision` or `pillow`.
    public var description: String { rawValue }

    /// Whether this backend can resize with `filter`.
    public func supports(_ filter: ResamplingFilter) -> Bool {
        switch self {
        case .pillow: true
        case .torchvision: filter != .box && filter != .hamming
        }
    }

    /// `image` resized to `width × height` with `filter`, byte for byte as this backend resizes it.
    ///
    /// - Throws: ``ImageProcessingError/unsupportedFilter(_:backend:)`` when the backend has no such filter.
    /// - Precondition: `width` and `height` are positive.
    public func resize(_ image: RGBImage, width: Int, height: Int, filter: ResamplingFilter)
        throws(ImageProcessingError) -> RGBImage {
        guard supports(filter) else { throw .unsupportedFilter(filter, backend: self) }
        precondition(width > 0 && height > 0, "a resize needs a positive width and height")
        return resizeSupported(image, width: width, height: height, filter: filter)
    }

    /// ``resize(_:width:height:filter:)`` for a filter already checked with ``supports(_:)``.
    func resizeSupported(_ image: RGBImage, width: Int, height: Int, filter: ResamplingFilter) -> RGBImage {
        switch self {
        case .pillow: PillowResampler.resize(image, width: width, height: height, filter: filter)
        case .torchvision: TorchvisionResampler.resize(image, width: width, height: height, filter: filter)
        }
    }

    /// Where an image `imageSize` long sits in a center crop `cropSize` long that overhangs it: torchvision
    /// pads the floor of half the excess before it, transformers' numpy `center_crop` the ceiling.
    func overhangOffset(imageSize: Int, cropSize: Int) -> Int {
        switch self {
        case .pillow: (cropSize - imageSize + 1) / 2
        case .torchvision: (cropSize - imageSize) / 2
        }
    }

    /// Checks that this backend can process images under `configuration`, as transformers would refuse it.
    func validate(_ configuration: ImageProcessingConfiguration) throws(ImageProcessingError) {
        guard self == .torchvision else { return }
        // The configuration guarantees 0...5, Pillow's codes.
        let filter = ResamplingFilter(rawValue: configuration.resample)!
        if configuration.doResize, !supports(filter) { throw .unsupportedFilter(filter, backend: self) }
        // torchvision's normalize raises "std evaluated to zero … division by zero".
        if configuration.doNormalize, configuration.imageStd.contains(where: { Float($0) == 0 }) { throw .zeroStandardDeviation(backend: self) }
    }
}
