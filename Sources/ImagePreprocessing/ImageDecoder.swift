import Foundation

/// Decodes JPEG and PNG files into upright ``RGBImage``s, matching what transformers' `load_image` gets from
/// Pillow 13: `ImageOps.exif_transpose(Image.open(file)).convert("RGB")`.
///
/// The format is taken from the leading bytes, never from a file name. The image's size is read from its
/// header and checked against ``maximumPixelCount`` before any pixel buffer is allocated. libjpeg-turbo and
/// libpng do the decoding through their APIs that report errors by return code, so a broken file becomes an
/// ``ImageDecodingError`` instead of a crash. The decoder holds no state: share one across threads.
public struct ImageDecoder: Sendable {
    /// Pillow's limit: `Image.MAX_IMAGE_PIXELS` (89,478,485) triggers a warning, twice that an error.
    public static let defaultMaximumPixelCount = 2 * 89_478_485

    /// Images with more pixels than this are refused (Pillow's `DecompressionBombError`).
    public var maximumPixelCount: Int
    /// Whether to turn images upright according to their EXIF orientation, as `load_image` does.
    public var appliesOrientation: Bool

    /// Creates a decoder.
    ///
    /// - Parameters:
    ///   - maximumPixelCount: The largest `width × height` accepted; the default is Pillow's.
    ///   - appliesOrientation: Whether to apply the EXIF orientation (default `true`, like transformers).
    public init(maximumPixelCount: Int = ImageDecoder.defaultMaximumPixelCount, appliesOrientation: Bool = true) {
        self.maximumPixelCount = maximumPixelCount
        self.appliesOrientation = appliesOrientation
    }

    /// Reads and decodes the image file at `url`; errors name the file's path.
    public func decode(contentsOf url: URL) throws(ImageDecodingError) -> RGBImage {
        let data: Data
        do {
            // Mapping avoids copying a large file into memory just to read its header.
            data = try Data(contentsOf: url, options: .mappedIfSafe)
        } catch {
            throw .unreadableFile(path: url.path, error: error)
        }
        return try decode(data, source: url.path)
    }

    /// Decodes an image from its file bytes.
    ///
    /// - Parameters:
    ///   - data: The complete contents of a JPEG or PNG file.
    ///   - source: A name for the bytes, such as a path or URL, used in error messages.
    public func decode(_ data: Data, source: String? = nil) throws(ImageDecodingError) -> RGBImage {
        let result = data.withUnsafeBytes { bytes in
            Result { () throws(ImageDecodingError) in try decode(bytes) }
        }
        do throws(ImageDecodingError) {
            return try result.get()
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

    private func decode(_ bytes: UnsafeRawBufferPointer) throws(ImageDecodingError) -> RGBImage {
        let image: RGBImage
        let metadata: OrientationMetadata
        switch try Self.format(of: bytes) {
        case .jpeg:
            let structure = try JPEGStructure.parse(bytes)
            try checkPixelCount(width: structure.width, height: structure.height)
            image = try JPEGDecoder.decode(structure, from: bytes)
            metadata = structure.orientationMetadata
        case .png:
            let structure = try PNGStructure.parse(bytes)
            try checkPixelCount(width: structure.width, height: structure.height)
            image = try PNGDecoder.decode(structure, from: bytes)
            metadata = structure.orientationMetadata
        }
        guard appliesOrientation else { return image }
        return metadata.orientation.transposing(image)
    }

    private func checkPixelCount(width: Int, height: Int) throws(ImageDecodingError) {
        let (pixels, overflow) = width.multipliedReportingOverflow(by: height)
        if overflow || pixels > maximumPixelCount {
            throw .tooManyPixels(source: nil, width: width, height: height, limit: maximumPixelCount)
        }
    }
}
