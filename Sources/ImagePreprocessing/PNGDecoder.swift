import CPNG

/// Decodes PNG pixels with libpng's simplified API, which catches libpng's longjmp-based errors inside the
/// library and reports them by return code, so no longjmp ever crosses a Swift frame.
///
/// The stream it is given (``PNGStructure/decoderStream(from:)``) holds only the chunks that describe pixels,
/// so libpng applies no gamma or colour correction; gray becomes RGB by repetition, palettes are looked up,
/// 1/2/4-bit gray is scaled by 255/85/17, and alpha is read and then dropped, all as Pillow's
/// `convert("RGB")` does. The one deliberate difference: 16-bit samples become `round(v / 257)` (libpng's
/// `png_set_scale_16`), where Pillow keeps the high byte of RGB and clips 16-bit gray to 255; see
/// Documentation/Preprocessing.md.
enum PNGDecoder {
    /// What a libpng decode of one stream produces and how its failures read.
    private struct Target {
        var width: Int
        var height: Int
        var hasAlpha: Bool
        var endsInsideImageData: Bool
    }

    static func decode(_ structure: PNGStructure, from bytes: UnsafeRawBufferPointer)
        throws(ImageDecodingError) -> RGBImage {
        let target = Target(width: structure.width, height: structure.height, hasAlpha: structure.hasAlphaChannel,
                            endsInsideImageData: structure.endsInsideImageData)
        if structure.isInterlaced && structure.bitDepth == 16 {
            return try decodeInterlaced16Bit(structure, from: bytes, target: target)
        }
        return try decode(stream: structure.decoderStream(from: bytes), target)
    }

    private static func decode(stream: [UInt8], _ target: Target) throws(ImageDecodingError) -> RGBImage {
        // libpng keeps pointing into the stream from begin_read to finish_read, so both run inside one
        // access to its storage.
        let result = stream.withUnsafeBytes { memory in
            Result { () throws(ImageDecodingError) in try decode(memory, target) }
        }
        return try result.get()
    }

    private static func decode(_ memory: UnsafeRawBufferPointer, _ target: Target)
        throws(ImageDecodingError) -> RGBImage {
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        defer { png_image_free(&image) }

        guard png_image_begin_read_from_memory(&image, memory.baseAddress, memory.count) != 0 else {
            throw failure(image, target)
        }
        guard Int(image.width) == target.width, Int(image.height) == target.height else {
            throw .corrupt(source: nil, format: .png, reason: "libpng read a different size than IHDR declares")
        }
        // With no gAMA/sRGB chunk left, 16-bit samples would otherwise be taken as linear light and
        // gamma-encoded on the way to 8 bits.
        image.flags |= UInt32(PNG_IMAGE_FLAG_16BIT_sRGB)
        let outputChannels = target.hasAlpha ? 4 : 3
        // PNG_FORMAT_RGB and PNG_FORMAT_RGBA are compound macros that Swift does not import.
        let rgb = UInt32(PNG_FORMAT_FLAG_COLOR)
        image.format = target.hasAlpha ? rgb | UInt32(PNG_FORMAT_FLAG_ALPHA) : rgb
        let width = target.width, height = target.height
        let rowStride = width * outputChannels
        guard rowStride <= Int(Int32.max) else {
            throw .unsupported(source: nil, format: .png, reason: "rows of \(width) pixels are too wide for libpng")
        }

        if outputChannels == 3 {
            return try RGBImage(width: width, height: height) { (pixels) throws(ImageDecodingError) in
                try finish(&image, into: UnsafeMutableRawPointer(pixels.baseAddress!), rowStride: rowStride,
                           target: target)
            }
        }
        // Read RGBA, then keep RGB: Pillow's convert("RGB") discards alpha rather than compositing.
        let rgba = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: rowStride * height)
        defer { rgba.deallocate() }
        try finish(&image, into: UnsafeMutableRawPointer(rgba.baseAddress!), rowStride: rowStride, target: target)
        return RGBImage(width: width, height: height) { (pixels: UnsafeMutableBufferPointer<UInt8>) in
            var input = UnsafePointer(rgba.baseAddress!), output = pixels.baseAddress!
            for _ in 0..<(width * height) {
                output[0] = input[0]
                output[1] = input[1]
                output[2] = input[2]
                input += 4
                output += 3
            }
        }
    }

    private static func finish(_ image: inout png_image, into buffer: UnsafeMutableRawPointer, rowStride: Int,
                               target: Target) throws(ImageDecodingError) {
        guard png_image_finish_read(&image, nil, buffer, Int32(rowStride), nil) != 0 else {
            throw failure(image, target)
        }
    }

    /// The Adam7 passes: first column, first row, column step, row step.
    private static let adam7 = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2),
                                (0, 1, 1, 2)]

    /// libpng 1.6.39's simplified API returns wrong samples for interlaced 16-bit images read to 8 bits (about
    /// half the values are off; non-interlaced ones are exact). So each Adam7 pass, which is filtered as an
    /// image of its own, is cut out of the inflated data, decoded by libpng as a small non-interlaced image,
    /// and scattered into place.
    private static func decodeInterlaced16Bit(_ structure: PNGStructure, from bytes: UnsafeRawBufferPointer,
                                              target: Target) throws(ImageDecodingError) -> RGBImage {
        let bytesPerPixel = 2 * structure.samplesPerPixel
        let passes = adam7.map { x0, y0, dx, dy in
            (x0, y0, dx, dy, width: (structure.width - x0 + dx - 1) / dx, height: (structure.height - y0 + dy - 1) / dy)
        }
        let needed = passes.reduce(0) { total, pass in
            pass.width == 0 || pass.height == 0 ? total : total + pass.height * (1 + pass.width * bytesPerPixel)
        }
        let data: [UInt8]
        switch Zlib.inflate(structure.compressedImageData(from: bytes)[...], limit: needed, stopAtLimit: true) {
        case .complete(let inflated) where inflated.count == needed: data = inflated
        case .complete: throw .truncated(source: nil, format: .png)
        case .tooLarge, .invalid: throw .corrupt(source: nil, format: .png, reason: "invalid compressed image data")
        }
        var pixels = [UInt8](repeating: 0, count: structure.width * structure.height * 3)
        var offset = 0
        for pass in passes where pass.width > 0 && pass.height > 0 {
            let length = pass.height * (1 + pass.width * bytesPerPixel)
            guard let compressed = Zlib.deflate(data[offset..<offset + length]) else {
                throw .corrupt(source: nil, format: .png, reason: "zlib could not recompress an interlace pass")
            }
            let stream = PNGStructure.stream(width: pass.width, height: pass.height, bitDepth: 16,
                                             colorType: structure.colorType, compressed: compressed)
            offset += length
            let passImage = try decode(stream: stream, Target(width: pass.width, height: pass.height,
                                                              hasAlpha: target.hasAlpha, endsInsideImageData: false))
            for row in 0..<pass.height {
                for column in 0..<pass.width {
                    let source = (row * pass.width + column) * 3
                    let destination = ((pass.1 + row * pass.3) * structure.width + pass.0 + column * pass.2) * 3
                    pixels[destination] = passImage.pixels[source]
                    pixels[destination + 1] = passImage.pixels[source + 1]
                    pixels[destination + 2] = passImage.pixels[source + 2]
                }
            }
        }
        return RGBImage(width: structure.width, height: structure.height, pixels: pixels)
    }

    /// The error for a failed libpng call, from the message libpng left in the control structure.
    private static func failure(_ image: png_image, _ target: Target) -> ImageDecodingError {
        let message = withUnsafeBytes(of: image.message) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        if target.endsInsideImageData || message.contains("Not enough image data") {
            return .truncated(source: nil, format: .png)
        }
        return .corrupt(source: nil, format: .png, reason: message.isEmpty ? "libpng failed" : "libpng: \(message)")
    }
}
