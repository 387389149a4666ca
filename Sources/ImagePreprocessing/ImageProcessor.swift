
/// Turns an ``RGBImage`` into a model's `pixel_values`: channels-first Float32 `[3, H, W]`, bit for bit what
/// transformers 5.24's processors produce for the same image and `preprocessor_config.json` — the Pillow
/// backend (`ViTImageProcessorPil`, `DeiTImageProcessorPil`) or the torchvision one (`ViTImageProcessor`,
/// `DeiTImageProcessor`, what `AutoImageProcessor` and `pipeline` give when torchvision is installed), as
/// ``backend`` says.
///
/// The steps, each only if the configuration enables it: resize with Pillow's arithmetic
/// (``ProcessorBackend/resize(_:width:height:filter:)``), center crop (zero-padding sides the crop
/// overhangs), rescale and normalize with the backend's float operations. Since the resized image is 8-bit,
/// the last two steps map each channel's 256 possible values through a table built once
/// (``PixelValueTable``).
///
/// A processor is an immutable value: share one across threads and call it concurrently.
public struct ImageProcessor: Sendable {
    /// The configuration this processor follows.
    public let configuration: ImageProcessingConfiguration
    /// Which transformers backend the output reproduces.
    public let backend: ProcessorBackend
    /// The number of output channels (red, green, blue).
    public let channelCount = RGBImage.channelCount
    /// The height of every output, or `nil` when it depends on the input (a `shortest_edge` or
    /// `max_height`/`max_width` resize, or no resize, without a center crop).
    public let outputHeight: Int?
    /// The width of every output, or `nil` when it depends on the input; see ``outputHeight``.
    public let outputWidth: Int?

    private let filter: ResamplingFilter
    /// `valueTable[c * 256 + v]` is the output for value `v` in channel `c`.
    private let valueTable: [Float]

    /// Creates a processor for `configuration` that reproduces the Pillow backend (which handles every
    /// configuration, so this cannot fail).
    public init(configuration: ImageProcessingConfiguration) {
        self.init(checked: configuration, backend: .pillow)
    }

    /// Creates a processor for `configuration` that reproduces `backend`.
    ///
    /// - Throws: ``ImageProcessingError/unsupportedFilter(_:backend:)`` or
    ///   ``ImageProcessingError/zeroStandardDeviation(backend:)`` where transformers' torchvision backend
    ///   fails on the configuration too.
    public init(configuration: ImageProcessingConfiguration, backend: ProcessorBackend) throws(ImageProcessingError) {
        try backend.validate(configuration)
        self.init(checked: configuration, backend: backend)
    }

    private init(checked configuration: ImageProcessingConfiguration, backend: ProcessorBackend) {
        self.configuration = configuration
        self.backend = backend
        // The configuration guarantees 0...5, Pillow's codes.
        self.filter = ResamplingFilter(rawValue: configuration.resample)!
        if configuration.doCenterCrop, let crop = configuration.cropSize {
            (outputHeight, outputWidth) = (crop.height, crop.width)
        } else if configuration.doResize, case .exact(let size) = configuration.size {
            (outputHeight, outputWidth) = (size.height, size.width)
        } else {
            (outputHeight, outputWidth) = (nil, nil)
        }
        valueTable = PixelValueTable.make(configuration, backend: backend)
    }

    /// The size the resize step produces for an image of `width × height` (the image's own size when the
    /// configuration does not resize), computed with transformers' float arithmetic and truncation. A side
    /// that comes out 0 (a `max_height`/`max_width` fit of a very thin image; Pillow would refuse it) is
    /// kept at 1 pixel, as the resize itself does, so every size this reports is the one produced.
    public func resizedSize(forImageWidth width: Int, height: Int) -> (width: Int, height: Int) {
        guard configuration.doResize, let target = configuration.size else { return (width, height) }
        let size = Self.targetSize(target, forImageWidth: width, height: height)
        return (max(size.width, 1), max(size.height, 1))
    }

    /// transformers' size for an image of `width × height` resized to `target`, before the 1-pixel floor.
    private static func targetSize(_ target: ImageProcessingConfiguration.ResizeTarget, forImageWidth width: Int,
                                   height: Int) -> (width: Int, height: Int) {
        switch target {
        case .exact(let size):
            return (size.width, size.height)
        case .shortestEdge(let shortest, nil):
            // get_resize_output_image_size(default_to_square=False): the long side is int(s · long / short).
            let (short, long) = width <= height ? (width, height) : (height, width)
            let newLong = Int(Double(shortest * long) / Double(short))
            return width <= height ? (shortest, newLong) : (newLong, shortest)
        case .shortestEdge(let shortest, let longest?):
            return Self.sizeWithAspectRatio(width: width, height: height, shortest: shortest, longest: longest)
        case .fitting(let maximum):
            // get_image_size_for_max_height_width: scale by the smaller ratio, truncate.
            let scale = min(Double(maximum.height) / Double(height), Double(maximum.width) / Double(width))
            return (Int(Double(width) * scale), Int(Double(height) * scale))
        }
    }

    /// The output size for an image of `width × height`: the crop size, or the resized size if there is no
    /// crop.
    public func outputSize(forImageWidth width: Int, height: Int) -> (width: Int, height: Int) {
        if configuration.doCenterCrop, let crop = configuration.cropSize { return (crop.width, crop.height) }
        return resizedSize(forImageWidth: width, height: height)
    }

    /// The number of floats ``process(_:into:)`` writes for `image`.
    public func outputCount(for image: RGBImage) -> Int {
        let size = outputSize(forImageWidth: image.width, height: image.height)
        return channelCount * size.height * size.width
    }

    /// The 8-bit image after the resize and center-crop steps, before rescaling and normalization: what the
    /// backend holds just before its float steps (useful for diagnosing a mismatch).
    ///
    /// The image's rows go through the same row-by-row resize as an ``EncodedImage``'s (see
    /// ``StreamingResizer``), which computes only the pixels the crop keeps.
    public func resizedAndCropped(_ image: RGBImage) -> RGBImage {
        streamingResizedAndCropped(image)
    }

    /// ``resizedAndCropped(_:)`` the way transformers spells it: the backend's whole-image resize, then the
    /// crop. The reference the row-by-row resize is tested against.
    func wholeImageResizedAndCropped(_ image: RGBImage) -> RGBImage {
        let resized = resize(image)
        guard configuration.doCenterCrop, let crop = configuration.cropSize else { return resized }
        return RGBImage(width: crop.width, height: crop.height) { pixels in
            Self.centerCrop(resized, to: crop, backend: backend, into: pixels.baseAddress!)
        }
    }

    /// Writes `image`'s pixel values, channels first (`[3, H, W]`), into `buffer`.
    ///
    /// Pass a slice of a batch buffer to fill a batch in place: image `n` of a batch of fixed-size outputs
    /// starts at `n * channelCount * outputHeight! * outputWidth!`.
    ///
    /// - Throws: ``ImageProcessingError/bufferSizeMismatch(expected:actual:)`` if `buffer.count` is not
    ///   ``outputCount(for:)``.
    public func process(_ image: RGBImage, into buffer: UnsafeMutableBufferPointer<Float>)
        throws(ImageProcessingError) {
        let expected = outputCount(for: image)
        guard buffer.count == expected else { throw .bufferSizeMismatch(expected: expected, actual: buffer.count) }
        let prepared = resizedAndCropped(image)
        writeChannelsFirst(prepared, into: buffer.baseAddress!)
    }

    /// `image`'s pixel values, channels first (`[3, H, W]`), as a new array.
    public func process(_ image: RGBImage) -> [Float] {
        process(prepared: resizedAndCropped(image))
    }

    /// The pixel values of an already resized and cropped image.
    func process(prepared: RGBImage) -> [Float] {
        let count = channelCount * prepared.width * prepared.height
        return [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            writeChannelsFirst(prepared, into: buffer.baseAddress!)
            initialized = count
        }
    }

    private func resize(_ image: RGBImage) -> RGBImage {
        guard configuration.doResize else { return image }
        let size = resizedSize(forImageWidth: image.width, height: image.height)
        return backend.resizeSupported(image, width: size.width, height: size.height, filter: filter)
    }

    /// Scatters the interleaved bytes into three planes through the per-channel value table.
    private func writeChannelsFirst(_ image: RGBImage, into output: UnsafeMutablePointer<Float>) {
        let planeSize = image.width * image.height
        valueTable.withUnsafeBufferPointer { table in
            image.pixels.withUnsafeBufferPointer { pixels in
                let red = table.baseAddress!, green = red + 256, blue = red + 512
                let source = pixels.baseAddress!
                let redPlane = output, greenPlane = output + planeSize, bluePlane = output + 2 * planeSize
                for index in 0..<planeSize {
                    redPlane[index] = red[Int(source[3 * index])]
                    greenPlane[index] = green[Int(source[3 * index + 1])]
                    bluePlane[index] = blue[Int(source[3 * index + 2])]
                }
            }
        }
    }

    /// transformers' `center_crop`: offsets `(size − crop) // 2` (floor division); where the crop is larger
    /// than the image, the image sits in a zero (black) canvas at the backend's
    /// ``ProcessorBackend/overhangOffset(imageSize:cropSize:)``.
    static func centerCrop(_ image: RGBImage, to crop: ImageProcessingConfiguration.PixelSize,
                           backend: ProcessorBackend, into output: UnsafeMutablePointer<UInt8>) {
        func placement(imageSize: Int, cropSize: Int) -> (source: Int, destination: Int, length: Int) {
            if cropSize <= imageSize { return ((imageSize - cropSize) / 2, 0, cropSize) }
            return (0, backend.overhangOffset(imageSize: imageSize, cropSize: cropSize), imageSize)
        }
        let rows = placement(imageSize: image.height, cropSize: crop.height)
        let columns = placement(imageSize: image.width, cropSize: crop.width)
        let overhangs = crop.height > image.height || crop.width > image.width
        if overhangs { output.update(repeating: 0, count: crop.height * crop.width * 3) }
        image.pixels.withUnsafeBufferPointer { pixels in
            for row in 0..<rows.length {
                let source = pixels.baseAddress! + ((rows.source + row) * image.width + columns.source) * 3
                let destination = output + ((rows.destination + row) * crop.width + columns.destination) * 3
                destination.update(from: source, count: columns.length * 3)
            }
        }
    }

    /// get_size_with_aspect_ratio with `max_size`: Python's float arithmetic, banker's `round`, and `int()`
    /// truncation, operation for operation.
    static func sizeWithAspectRatio(width: Int, height: Int, shortest: Int, longest: Int) -> (width: Int, height: Int) {
        var size = shortest
        var rawSize: Double?
        let minOriginal = Double(min(height, width)), maxOriginal = Double(max(height, width))
        if maxOriginal / minOriginal * Double(size) > Double(longest) {
            let raw = Double(longest) * minOriginal / maxOriginal
            rawSize = raw
            size = Int(raw.rounded(.toNearestOrEven))
        }
        if (height <= width && height == size) || (width <= height && width == size) {
            return (width, height)
        }
        if width < height {
            let newHeight = rawSize.map { Int($0 * Double(height) / Double(width)) } ?? Int(Double(size * height) / Double(width))
            return (size, newHeight)
        }
        let newWidth = rawSize.map { Int($0 * Double(width) / Double(height)) } ?? Int(Double(size * width) / Double(height))
        return (newWidth, size)
    }
}
