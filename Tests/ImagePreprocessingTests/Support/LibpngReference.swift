import CPNG
@testable import ImagePreprocessing

/// An independent whole-image PNG decoder for comparison: libpng 1.6's simplified API, as SwiftViT decoded
/// PNGs before its row-by-row reader (RGB or RGBA output with alpha dropped; 16-bit samples rounded to
/// `round(v / 257)` by `png_set_scale_16`, which is why a TestPNG's `pillowPlain` reduces them first).
enum LibpngReference {
    /// Why libpng failed, or the decoded image.
    enum Outcome: Equatable {
        case image(RGBImage)
        case failed(String)
    }

    /// `png`'s pixels as Pillow sees them.
    static func decode(_ png: TestPNG) -> Outcome { decode(png.pillowPlain) }

    /// The stream `bytes` decoded by `png_image_begin_read_from_memory` / `png_image_finish_read`.
    static func decode(_ bytes: [UInt8]) -> Outcome {
        bytes.withUnsafeBytes { memory in
            var image = png_image()
            image.version = UInt32(PNG_IMAGE_VERSION)
            defer { png_image_free(&image) }
            guard png_image_begin_read_from_memory(&image, memory.baseAddress, memory.count) != 0 else {
                return .failed(message(image))
            }
            image.flags |= UInt32(PNG_IMAGE_FLAG_16BIT_sRGB)
            let alpha = image.format & UInt32(PNG_FORMAT_FLAG_ALPHA) != 0
            image.format = UInt32(PNG_FORMAT_FLAG_COLOR) | (alpha ? UInt32(PNG_FORMAT_FLAG_ALPHA) : 0)
            let (width, height, channels) = (Int(image.width), Int(image.height), alpha ? 4 : 3)
            var buffer = [UInt8](repeating: 0, count: width * height * channels)
            let status = buffer.withUnsafeMutableBytes { out in
                png_image_finish_read(&image, nil, out.baseAddress, Int32(width * channels), nil)
            }
            guard status != 0 else { return .failed(message(image)) }
            let rgb = (0..<(width * height)).flatMap { index in buffer[(index * channels)..<(index * channels + 3)] }
            return .image(RGBImage(width: width, height: height, pixels: Array(rgb)))
        }
    }

    private static func message(_ image: png_image) -> String {
        withUnsafeBytes(of: image.message) { raw in String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self) }
    }
}
