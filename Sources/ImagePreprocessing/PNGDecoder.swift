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
    static func decode(_ structure: PNGStructure, from bytes: UnsafeRawBufferPointer)
        throws(ImageDecodingError) -> RGBImage {
        let stream = structure.decoderStream(from: bytes)
        // libpng keeps pointing into the stream from begin_read to finish_read, so both run inside one
        // access to its storage.
        let result = stream.withUnsafeBytes { memory in
            Result { () throws(ImageDecodingError) in try decode(memory, structure) }
        }
        return try result.get()
    }

    private static func decode(_ memory: UnsafeRawBufferPointer, _ structure: PNGStructure)
        throws(ImageDecodingError) -> RGBImage {
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        defer { png_image_free(&image) }

        guard png_image_begin_read_from_memory(&image, memory.baseAddress, memory.count) != 0 else {
            throw failure(image, structure)
        }
        guard Int(image.width) == structure.width, Int(image.height) == structure.height else {
            throw .corrupt(source: nil, format: .png, reason: "libpng read a different size than IHDR declares")
        }
        // With no gAMA/sRGB chunk left, 16-bit samples would otherwise be taken as linear light and
        // gamma-encoded on the way to 8 bits.
        image.flags |= UInt32(PNG_IMAGE_FLAG_16BIT_sRGB)
        let outputChannels = structure.hasAlphaChannel ? 4 : 3
        // PNG_FORMAT_RGB and PNG_FORMAT_RGBA are compound macros that Swift does not import.
        let rgb = UInt32(PNG_FORMAT_FLAG_COLOR)
        image.format = structure.hasAlphaChannel ? rgb | UInt32(PNG_FORMAT_FLAG_ALPHA) : rgb
        let width = structure.width, height = structure.height
        let rowStride = width * outputChannels
        guard rowStride <= Int(Int32.max) else {
            throw .unsupported(source: nil, format: .png, reason: "rows of \(width) pixels are too wide for libpng")
        }

        if outputChannels == 3 {
            return try RGBImage(width: width, height: height) { (pixels) throws(ImageDecodingError) in
                try finish(&image, into: UnsafeMutableRawPointer(pixels.baseAddress!), rowStride: rowStride,
                           structure: structure)
            }
        }
        // Read RGBA, then keep RGB: Pillow's convert("RGB") discards alpha rather than compositing.
        let rgba = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: rowStride * height)
        defer { rgba.deallocate() }
        try finish(&image, into: UnsafeMutableRawPointer(rgba.baseAddress!), rowStride: rowStride, structure: structure)
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
                               structure: PNGStructure) throws(ImageDecodingError) {
        guard png_image_finish_read(&image, nil, buffer, Int32(rowStride), nil) != 0 else {
            throw failure(image, structure)
        }
    }

    /// The error for a failed libpng call, from the message libpng left in the control structure.
    private static func failure(_ image: png_image, _ structure: PNGStructure) -> ImageDecodingError {
        let message = withUnsafeBytes(of: image.message) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        if structure.endsInsideImageData || message.contains("Not enough image data") {
            return .truncated(source: nil, format: .png)
        }
        return .corrupt(source: nil, format: .png, reason: message.isEmpty ? "libpng failed" : "libpng: \(message)")
    }
}
