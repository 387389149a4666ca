/// An 8-bit RGB image: rows top to bottom, pixels left to right, the three channels interleaved (`RGBRGB…`).
///
/// This is what a decoder produces and what the resampler and the processor consume; it is the Swift
/// counterpart of a Pillow image in mode `"RGB"`.
public struct RGBImage: Sendable, Equatable {
    /// The number of channels per pixel (red, green, blue).
    public static let channelCount = 3

    /// Columns, at least 1.
    public let width: Int
    /// Rows, at least 1.
    public let height: Int
    /// `width × height × 3` bytes, row by row.
    public let pixels: [UInt8]

    /// Creates an image from interleaved RGB bytes.
    ///
    /// - Precondition: `width` and `height` are positive and `pixels.count == width * height * 3`.
    public init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(width > 0 && height > 0, "an RGBImage needs a positive width and height")
        let (count, overflow) = width.multipliedReportingOverflow(by: height * Self.channelCount)
        precondition(!overflow && pixels.count == count,
                     "an RGBImage of \(width)×\(height) needs \(width)×\(height)×3 bytes, got \(pixels.count)")
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// Creates an image whose bytes `initialize` writes; every byte must be written.
    ///
    /// This avoids zero-filling large buffers that a decoder or resampler overwrites anyway.
    init<Failure: Error>(width: Int, height: Int,
                         initializingPixelsWith initialize: (UnsafeMutableBufferPointer<UInt8>) throws(Failure) -> Void)
        throws(Failure) {
        let count = width * height * Self.channelCount
        var failure: Failure?
        let pixels = [UInt8](unsafeUninitializedCapacity: count) { buffer, initializedCount in
            do throws(Failure) {
                try initialize(UnsafeMutableBufferPointer(rebasing: buffer[0..<count]))
                initializedCount = count
            } catch {
                // Bytes are trivial values, so marking all of them initialized is harmless either way.
                initializedCount = count
                failure = error
            }
        }
        if let failure { throw failure }
        self.init(width: width, height: height, pixels: pixels)
    }

    /// The red, green and blue values of the pixel in column `x`, row `y`.
    ///
    /// - Precondition: `0 <= x < width` and `0 <= y < height`.
    public subscript(x: Int, y: Int) -> (red: UInt8, green: UInt8, blue: UInt8) {
        precondition((0..<width).contains(x) && (0..<height).contains(y), "pixel (\(x), \(y)) is outside the image")
        let offset = (y * width + x) * Self.channelCount
        return (pixels[offset], pixels[offset + 1], pixels[offset + 2])
    }
}
