import Foundation

/// Decodes JPEG and PNG files into upright ``RGBImage``s, matching what transformers' `load_image` gets from
/// Pillow 13: `ImageOps.exif_transpose(Image.open(file)).convert("RGB")`.
///
/// The format is taken from the leading bytes, never from a file name. ``open(_:source:)`` reads the file's
/// structure (size, orientation) and checks the size against ``maximumPixelCount``; decoding then checks the
/// memory it will need against ``memoryBudget`` before allocating any pixel buffer. Both decoders produce rows
/// one at a time (libjpeg-turbo's scanline API behind a C shim that keeps its `longjmp` inside C; our own
/// inflate-and-unfilter PNG reader), so ``ImageProcessor/process(_:)-(EncodedImage)`` can resize an image of
/// any size in a few megabytes; a broken file becomes an ``ImageDecodingError`` instead of a crash. The
/// decoder holds no state: share one across threads.
public struct ImageDecoder: Sendable {
    /// Pillow's limit: `Image.MAX_IMAGE_PIXELS` (89,478,485) triggers a warning, twice that an error.
    public static let defaultMaximumPixelCount = 2 * 89_478_485

    /// Images with more pixels than this are refused (Pillow's `DecompressionBombError`).
    public var maximumPixelCount: Int
    /// Whether to turn images upright according to their EXIF orientation, as `load_image` does.
    public var appliesOrientation: Bool
    /// The most bytes one decode may allocate (pixel buffers, libjpeg's coefficient buffer, the resize's
    /// rows and output); a decode that would need more throws
    /// ``ImageDecodingError/exceedsMemoryBudget(source:needed:budget:)`` before allocating anything big.
    /// The default is ``defaultMemoryBudget``.
    public var memoryBudget: Int

    /// Creates a decoder.
    ///
    /// - Parameters:
    ///   - maximumPixelCount: The largest `width × height` accepted; the default is Pillow's.
    ///   - appliesOrientation: Whether to apply the EXIF orientation (default `true`, like transformers).
    ///   - memoryBudget: The most bytes one decode may allocate; the default is an eighth of the memory
    ///     available (``defaultMemoryBudget``).
    public init(maximumPixelCount: Int = ImageDecoder.defaultMaximumPixelCount, appliesOrientation: Bool = true,
                memoryBudget: Int = ImageDecoder.defaultMemoryBudget) {
        self.maximumPixelCount = maximumPixelCount
        self.appliesOrientation = appliesOrientation
        self.memoryBudget = memoryBudget
    }

    /// Reads and decodes the image file at `url`; errors name the file's path.
    public func decode(contentsOf url: URL) throws(ImageDecodingError) -> RGBImage {
        try open(contentsOf: url).decoded()
    }

    /// Decodes an image from its file bytes.
    ///
    /// - Parameters:
    ///   - data: The complete contents of a JPEG or PNG file.
    ///   - source: A name for the bytes, such as a path or URL, used in error messages.
    public func decode(_ data: Data, source: String? = nil) throws(ImageDecodingError) -> RGBImage {
        try open(data, source: source).decoded()
    }

    /// Reads the image file at `url` and its structure, without decoding pixels; errors name the file's path.
    public func open(contentsOf url: URL) throws(ImageDecodingError) -> EncodedImage {
        let data: Data
        do {
            // Mapping avoids copying a large file into memory just to read its header.
            data = try Data(contentsOf: url, options: .mappedIfSafe)
        } catch {
            throw .unreadableFile(path: url.path, error: error)
        }
        return try open(data, source: url.path)
    }

    /// Reads the structure of an image's file bytes — format, size, orientation — without decoding pixels.
    ///
    /// - Throws: ``ImageDecodingError/tooManyPixels(source:width:height:limit:)`` beyond
    ///   ``maximumPixelCount``, and the errors a malformed header or metadata raise.
    public func open(_ data: Data, source: String? = nil) throws(ImageDecodingError) -> EncodedImage {
        let result = data.withUnsafeBytes { bytes in
            Result { () throws(ImageDecodingError) -> EncodedImage.Structure in
                switch try Self.format(of: bytes) {
                case .jpeg:
                    let structure = try JPEGStructure.parse(bytes)
                    try checkPixelCount(width: structure.width, height: structure.height)
                    return .jpeg(structure)
                case .png:
                    let structure = try PNGStructure.parse(bytes)
                    try checkPixelCount(width: structure.width, height: structure.height)
                    return .png(structure)
                }
            }
        }
        do throws(ImageDecodingError) {
            return EncodedImage(data: data, source: source, structure: try result.get(), decoder: self)
        } catch {
            throw error.naming(source)
        }
    }

    /// The format and size the header of `data` declares, without decoding pixels.
    public func header(of data: Data, source: String? = nil) throws(ImageDecodingError)
        -> (format: ImageFormat, width: Int, height: Int) {
        let result = data.withUnsafeBytes { bytes in
            Result { () throws(ImageDecodingError) -> (ImageFormat, Int, Int) in
                switch try Self.format(of: bytes) {
                case .jpeg:
                    let structure = try JPEGStructure.parse(bytes)
                    return (.jpeg, structure.width, structure.height)
                case .png:
                    let structure = try PNGStructure.parse(bytes)
                    return (.png, structure.width, structure.height)
                }
            }
        }
        do throws(ImageDecodingError) {
            let (format, width, height) = try result.get()
            return (format, width, height)
        } catch {
            throw error.naming(source)
        }
    }

    private static func format(of bytes: UnsafeRawBufferPointer) throws(ImageDecodingError) -> ImageFormat {
        guard !bytes.isEmpty else { throw .empty(source: nil) }
        guard let format = ImageFormat(detecting: bytes) else { throw .unrecognizedFormat(source: nil) }
        return format
    }

    private func checkPixelCount(width: Int, height: Int) throws(ImageDecodingError) {
        let (pixels, overflow) = width.multipliedReportingOverflow(by: height)
        if overflow || pixels > maximumPixelCount {
            throw .tooManyPixels(source: nil, width: width, height: height, limit: maximumPixelCount)
        }
    }
}
